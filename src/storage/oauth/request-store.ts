/**
 * Prepared statements for `oauth_request`: pushed authorization requests. A row lives from PAR
 * until its code is exchanged (or it expires); approval adds the account, the granted scope and
 * the hashed code, and moves the expiry to the code's.
 */
import type { Db } from '../database.ts'

export interface RequestRow {
  id: string
  clientId: string
  /** JSON of the client authentication used at PAR. */
  clientAuth: string
  /** JSON of the checked authorization parameters. */
  parameters: string
  dpopJkt: string
  createdAt: string
  expiresAt: string
  did: string | null
  grantedScope: string | null
  codeHash: string | null
}

const COLUMNS = `id, client_id AS clientId, client_auth AS clientAuth, parameters, dpop_jkt AS dpopJkt,
  created_at AS createdAt, expires_at AS expiresAt, did, granted_scope AS grantedScope, code_hash AS codeHash`

export class RequestStore {
  constructor(private readonly db: Db) {}

  insert(row: Omit<RequestRow, 'did' | 'grantedScope' | 'codeHash'>): void {
    this.db
      .prepare(
        `INSERT INTO oauth_request (id, client_id, client_auth, parameters, dpop_jkt, created_at, expires_at)
          VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.clientId, row.clientAuth, row.parameters, row.dpopJkt, row.createdAt, row.expiresAt)
  }

  /** The request when it has not expired. */
  live(id: string, now: string): RequestRow | undefined {
    return (
      this.db
        .prepare<RequestRow, [string, string]>(
          `SELECT ${COLUMNS} FROM oauth_request WHERE id = ? AND expires_at > ?`,
        )
        .get(id, now) ?? undefined
    )
  }

  byCodeHash(codeHash: string): RequestRow | undefined {
    return (
      this.db
        .prepare<RequestRow, [string]>(`SELECT ${COLUMNS} FROM oauth_request WHERE code_hash = ?`)
        .get(codeHash) ?? undefined
    )
  }

  /** Records the approval; false when the request was already approved or is gone. */
  approve(id: string, did: string, grantedScope: string, codeHash: string, expiresAt: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE oauth_request SET did = ?, granted_scope = ?, code_hash = ?, expires_at = ?
            WHERE id = ? AND code_hash IS NULL`,
        )
        .run(did, grantedScope, codeHash, expiresAt, id).changes > 0
    )
  }

  /** Deletes the approved request `id` if it still holds this code; false when it does not. */
  deleteWithCode(id: string, codeHash: string): boolean {
    return (
      this.db.prepare('DELETE FROM oauth_request WHERE id = ? AND code_hash = ?').run(id, codeHash).changes >
      0
    )
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM oauth_request WHERE id = ?').run(id)
  }

  deleteExpired(now: string): void {
    this.db.prepare('DELETE FROM oauth_request WHERE expires_at <= ?').run(now)
  }
}
