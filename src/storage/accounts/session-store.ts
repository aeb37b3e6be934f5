/**
 * Prepared statements for `session` and `refresh_token`. A session is one login (its scope and
 * app password fixed at login); each refresh rotates it to a new refresh-token row, and the
 * session's expiry follows its newest refresh token. Deleting a session cascades to its tokens.
 */
import type { Db } from '../database.ts'

export type SessionScope = 'access' | 'appPass' | 'appPassPrivileged' | 'takendown'

export interface NewSession {
  id: string
  did: string
  scope: SessionScope
  appPasswordName: string | null
  createdAt: string
  expiresAt: string
}

export interface RefreshTokenRow {
  id: string
  sessionId: string
  issuedAt: string
  expiresAt: string
  /** Set once the token was rotated: the successor handed out again to a replay within the grace. */
  nextId: string | null
  did: string
  scope: SessionScope
}

/** What the access-token check needs: the live session and the account's takedown state. */
export interface LiveSession {
  did: string
  scope: SessionScope
  takedownRef: string | null
}

export class SessionStore {
  constructor(private readonly db: Db) {}

  insertSession(s: NewSession): void {
    this.db
      .prepare(
        `INSERT INTO session (id, did, scope, app_password_name, created_at, expires_at)
          VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(s.id, s.did, s.scope, s.appPasswordName, s.createdAt, s.expiresAt)
  }

  /** Ignores a second insert of the same id (a replay within the grace period re-issues it). */
  insertRefreshToken(id: string, sessionId: string, issuedAt: string, expiresAt: string): void {
    this.db
      .prepare(
        `INSERT INTO refresh_token (id, session_id, issued_at, expires_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (id) DO NOTHING`,
      )
      .run(id, sessionId, issuedAt, expiresAt)
  }

  refreshToken(id: string): RefreshTokenRow | undefined {
    return (
      this.db
        .prepare<RefreshTokenRow, [string]>(
          `SELECT r.id, r.session_id AS sessionId, r.issued_at AS issuedAt, r.expires_at AS expiresAt,
              r.next_id AS nextId, s.did, s.scope
            FROM refresh_token r JOIN session s ON s.id = r.session_id WHERE r.id = ?`,
        )
        .get(id) ?? undefined
    )
  }

  /** Records the successor of a rotated token and cuts its own life down to the grace period. */
  markRotated(id: string, nextId: string, expiresAt: string): void {
    this.db
      .prepare('UPDATE refresh_token SET next_id = ?, expires_at = ? WHERE id = ?')
      .run(nextId, expiresAt, id)
  }

  setSessionExpiry(sessionId: string, expiresAt: string): void {
    this.db.prepare('UPDATE session SET expires_at = ? WHERE id = ?').run(expiresAt, sessionId)
  }

  liveSession(id: string, now: string): LiveSession | undefined {
    return (
      this.db
        .prepare<LiveSession, [string, string]>(
          // The account as a subquery: a join costs several times the two lookups (records.ts).
          `SELECT s.did, s.scope, (SELECT takedown_ref FROM account WHERE did = s.did) AS takedownRef
            FROM session s WHERE s.id = ? AND s.expires_at > ?`,
        )
        .get(id, now) ?? undefined
    )
  }

  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM session WHERE id = ?').run(id)
  }

  deleteSessionsOf(did: string): void {
    this.db.prepare('DELETE FROM session WHERE did = ?').run(did)
  }

  /** Drops the account's expired refresh tokens and sessions (tidied on each login and refresh). */
  deleteExpired(did: string, now: string): void {
    this.db
      .prepare(
        `DELETE FROM refresh_token WHERE expires_at <= ?
          AND session_id IN (SELECT id FROM session WHERE did = ?)`,
      )
      .run(now, did)
    this.db.prepare('DELETE FROM session WHERE did = ? AND expires_at <= ?').run(did, now)
  }

  countSessions(did: string): number {
    return (
      this.db.prepare<{ n: number }, [string]>('SELECT count(*) AS n FROM session WHERE did = ?').get(did)
        ?.n ?? 0
    )
  }
}
