/**
 * Prepared statements for `reserved_signing_key`: signing keys handed out by reserveSigningKey
 * before the account exists (a migration puts the key in the DID document first), keyed by the
 * DID they were reserved for, or by their own did:key when no DID was given.
 */
import type { Db } from '../database.ts'

export class ReservedKeyStore {
  constructor(private readonly db: Db) {}

  get(reservedFor: string): Uint8Array | undefined {
    const row = this.db
      .prepare<{ k: Uint8Array }, [string]>(
        'SELECT signing_key AS k FROM reserved_signing_key WHERE reserved_for = ?',
      )
      .get(reservedFor)
    return row?.k
  }

  /** Keeps an existing reservation: returns false when `reservedFor` already had a key. */
  insert(reservedFor: string, signingKey: Uint8Array, createdAt: string): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO reserved_signing_key (reserved_for, signing_key, created_at) VALUES (?, ?, ?)
            ON CONFLICT (reserved_for) DO NOTHING`,
        )
        .run(reservedFor, signingKey, createdAt).changes > 0
    )
  }

  delete(reservedFor: string): void {
    this.db.prepare('DELETE FROM reserved_signing_key WHERE reserved_for = ?').run(reservedFor)
  }

  deleteOlderThan(before: string): void {
    this.db.prepare('DELETE FROM reserved_signing_key WHERE created_at < ?').run(before)
  }
}
