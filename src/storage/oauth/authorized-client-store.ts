/** Prepared statements for `oauth_authorized_client`: what an account approved for a client. */
import type { Db } from '../database.ts'

export class AuthorizedClientStore {
  constructor(private readonly db: Db) {}

  upsert(did: string, clientId: string, scope: string, at: string): void {
    this.db
      .prepare(
        `INSERT INTO oauth_authorized_client (did, client_id, scope, updated_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (did, client_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at`,
      )
      .run(did, clientId, scope, at)
  }

  /** The approved scope string, or undefined. */
  scope(did: string, clientId: string): string | undefined {
    return (
      this.db
        .prepare<{ scope: string }, [string, string]>(
          'SELECT scope FROM oauth_authorized_client WHERE did = ? AND client_id = ?',
        )
        .get(did, clientId)?.scope ?? undefined
    )
  }

  delete(did: string, clientId: string): void {
    this.db.prepare('DELETE FROM oauth_authorized_client WHERE did = ? AND client_id = ?').run(did, clientId)
  }
}
