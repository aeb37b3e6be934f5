/** Prepared statements for `oauth_signing_key`: the authorization server's ES256 keys. */
import type { Db } from '../database.ts'

export interface SigningKeyRow {
  kid: string
  /** The private JWK as JSON. */
  privateJwk: string
  createdAt: string
  retiredAt: string | null
}

const COLUMNS = 'kid, private_jwk AS privateJwk, created_at AS createdAt, retired_at AS retiredAt'

export class SigningKeyStore {
  constructor(private readonly db: Db) {}

  /** Every stored key: the active one first, then the retired ones, newest first. */
  all(): SigningKeyRow[] {
    return this.db
      .prepare<SigningKeyRow, []>(
        `SELECT ${COLUMNS} FROM oauth_signing_key ORDER BY retired_at IS NOT NULL, created_at DESC`,
      )
      .all()
  }

  insert(row: SigningKeyRow): void {
    this.db
      .prepare('INSERT INTO oauth_signing_key (kid, private_jwk, created_at, retired_at) VALUES (?, ?, ?, ?)')
      .run(row.kid, row.privateJwk, row.createdAt, row.retiredAt)
  }

  /** Retires every key still in use. */
  retireActive(at: string): void {
    this.db.prepare('UPDATE oauth_signing_key SET retired_at = ? WHERE retired_at IS NULL').run(at)
  }

  /** Deletes keys retired before `before`: nothing they signed is still valid. */
  deleteRetiredBefore(before: string): void {
    this.db
      .prepare('DELETE FROM oauth_signing_key WHERE retired_at IS NOT NULL AND retired_at < ?')
      .run(before)
  }
}
