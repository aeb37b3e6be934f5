/**
 * Prepared statements for `oauth_token` and `oauth_used_refresh`. One row is one OAuth session;
 * refreshing swaps its refresh-token hash and remembers the old one, so that a replayed refresh
 * token can be recognised and its session revoked. Deleting a row cascades to its used hashes.
 */
import type { Db } from '../database.ts'

export interface TokenRow {
  id: string
  did: string
  clientId: string
  /** JSON of the client authentication bound to the session. */
  clientAuth: string
  dpopJkt: string
  /** The scope the client asked for and was granted (may contain include: scopes). */
  scope: string
  /** The concrete permissions, include: scopes compiled. */
  permissions: string
  codeHash: string | null
  refreshHash: string
  createdAt: string
  updatedAt: string
  expiresAt: string
  refreshExpiresAt: string
}

/** What an access-token check needs: the session and the account's takedown state. */
export interface LiveToken {
  id: string
  did: string
  clientId: string
  dpopJkt: string
  permissions: string
  takedownRef: string | null
}

const COLUMNS = `id, did, client_id AS clientId, client_auth AS clientAuth, dpop_jkt AS dpopJkt, scope, permissions,
  code_hash AS codeHash, refresh_hash AS refreshHash, created_at AS createdAt, updated_at AS updatedAt,
  expires_at AS expiresAt, refresh_expires_at AS refreshExpiresAt`

export class TokenStore {
  constructor(private readonly db: Db) {}

  insert(row: TokenRow): void {
    this.db
      .prepare(
        `INSERT INTO oauth_token (id, did, client_id, client_auth, dpop_jkt, scope, permissions, code_hash,
          refresh_hash, created_at, updated_at, expires_at, refresh_expires_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.id,
        row.did,
        row.clientId,
        row.clientAuth,
        row.dpopJkt,
        row.scope,
        row.permissions,
        row.codeHash,
        row.refreshHash,
        row.createdAt,
        row.updatedAt,
        row.expiresAt,
        row.refreshExpiresAt,
      )
  }

  /** The live session `id` with its account's takedown state (undefined once expired or revoked). */
  live(id: string, now: string): LiveToken | undefined {
    return (
      this.db
        .prepare<LiveToken, [string, string, string]>(
          // The account as a subquery: a join costs several times the two lookups (records.ts).
          `SELECT t.id, t.did, t.client_id AS clientId, t.dpop_jkt AS dpopJkt, t.permissions,
            (SELECT takedown_ref FROM account WHERE did = t.did) AS takedownRef
            FROM oauth_token t WHERE t.id = ? AND t.expires_at > ? AND t.refresh_expires_at > ?`,
        )
        .get(id, now, now) ?? undefined
    )
  }

  byRefreshHash(hash: string): TokenRow | undefined {
    return (
      this.db
        .prepare<TokenRow, [string]>(`SELECT ${COLUMNS} FROM oauth_token WHERE refresh_hash = ?`)
        .get(hash) ?? undefined
    )
  }

  /** The session a rotated-away refresh token belonged to. */
  idByUsedRefreshHash(hash: string): string | undefined {
    return (
      this.db
        .prepare<{ id: string }, [string]>('SELECT token_id AS id FROM oauth_used_refresh WHERE hash = ?')
        .get(hash)?.id ?? undefined
    )
  }

  idByCodeHash(codeHash: string): string | undefined {
    return (
      this.db
        .prepare<{ id: string }, [string]>('SELECT id FROM oauth_token WHERE code_hash = ?')
        .get(codeHash)?.id ?? undefined
    )
  }

  /**
   * Swaps the refresh token; false when `oldHash` is no longer the current one (a race). Used
   * hashes older than `forgetUsedBefore` are dropped: those tokens would have expired anyway.
   */
  rotate(
    id: string,
    oldHash: string,
    next: {
      hash: string
      permissions: string
      at: string
      refreshExpiresAt: string
      forgetUsedBefore: string
    },
  ): boolean {
    const changed = this.db
      .prepare(
        `UPDATE oauth_token SET refresh_hash = ?, permissions = ?, updated_at = ?, refresh_expires_at = ?
          WHERE id = ? AND refresh_hash = ?`,
      )
      .run(next.hash, next.permissions, next.at, next.refreshExpiresAt, id, oldHash).changes
    if (changed === 0) return false
    this.db
      .prepare('INSERT INTO oauth_used_refresh (hash, token_id, used_at) VALUES (?, ?, ?)')
      .run(oldHash, id, next.at)
    this.db
      .prepare('DELETE FROM oauth_used_refresh WHERE token_id = ? AND used_at < ?')
      .run(id, next.forgetUsedBefore)
    return true
  }

  /** The account's sessions, newest first. */
  listForAccount(did: string, now: string): TokenRow[] {
    return this.db
      .prepare<TokenRow, [string, string, string]>(
        `SELECT ${COLUMNS} FROM oauth_token WHERE did = ? AND expires_at > ? AND refresh_expires_at > ?
          ORDER BY updated_at DESC`,
      )
      .all(did, now, now)
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM oauth_token WHERE id = ?').run(id).changes > 0
  }

  deleteForClient(did: string, clientId: string): number {
    return this.db.prepare('DELETE FROM oauth_token WHERE did = ? AND client_id = ?').run(did, clientId)
      .changes
  }

  /** Deletes ended sessions (a refresh token never outlives its session, so its expiry decides). */
  deleteExpired(now: string): void {
    this.db.prepare('DELETE FROM oauth_token WHERE refresh_expires_at <= ?').run(now)
  }
}
