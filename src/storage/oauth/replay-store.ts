/**
 * Prepared statements for `oauth_replay`: values that may be used once until they expire (PKCE
 * challenges, client-assertion `jti`s), each under a namespace.
 */
import type { Db } from '../database.ts'

export class ReplayStore {
  constructor(private readonly db: Db) {}

  /** Records `key`; false when it was already recorded and has not expired yet. */
  consume(namespace: string, key: string, expiresAt: string, now: string): boolean {
    this.db
      .prepare('DELETE FROM oauth_replay WHERE namespace = ? AND key = ? AND expires_at <= ?')
      .run(namespace, key, now)
    const inserted = this.db
      .prepare(
        'INSERT INTO oauth_replay (namespace, key, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(namespace, key, expiresAt)
    return inserted.changes > 0
  }

  deleteExpired(now: string): void {
    this.db.prepare('DELETE FROM oauth_replay WHERE expires_at <= ?').run(now)
  }
}
