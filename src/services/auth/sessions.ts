/**
 * Password sessions: login rows, refresh-token rotation and access-token checks.
 * Rotation follows the reference PDS: each refresh hands out a new refresh token (a fresh 90-day
 * life) and cuts the old one down to a grace period of REFRESH_GRACE_MS, during which a replay of
 * the old token (a client that lost the answer, two tabs refreshing at once) gets the same
 * successor again instead of failing; the successor's JWT is rebuilt from its stored claims, so it
 * is the same token. A revoked or expired refresh token answers 400 ExpiredToken.
 */
import { randomBytes } from 'node:crypto'
import type { SessionStore } from '../../storage/accounts/index.ts'
import type { Db } from '../../storage/database.ts'
import { AuthRequiredError, InvalidRequestError } from '../errors.ts'
import {
  type AccessScope,
  REFRESH_TOKEN_LIFETIME_MS,
  type RefreshClaims,
  type SessionTokens,
} from './session-tokens.ts'

export const REFRESH_GRACE_MS = 2 * 60 * 60 * 1000

/** A verified access token: who, with which scope, in which (still live) session. */
export interface AccessAuth {
  did: string
  scope: AccessScope
  sessionId: string
}

export interface SessionPair {
  accessJwt: string
  refreshJwt: string
}

/** A session whose tokens are signed and whose rows are written by `persist` (inside a transaction). */
export interface PreparedSession extends SessionPair {
  persist(): void
}

interface TokenRow {
  id: string
  sessionId: string
  issuedAt: string
  expiresAt: string
}

export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly store: SessionStore,
    private readonly tokens: SessionTokens,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs the tokens of a new session; the caller writes its rows with `persist()`. */
  prepare(did: string, scope: AccessScope, appPasswordName: string | null): PreparedSession {
    const now = wholeSeconds(this.now())
    const sessionId = randomId()
    const refresh: TokenRow = {
      id: randomId(),
      sessionId,
      issuedAt: iso(now),
      expiresAt: iso(now + REFRESH_TOKEN_LIFETIME_MS),
    }
    const pair = this.sign(did, scope, refresh, now)
    const persist = () => {
      this.store.deleteExpired(did, iso(now))
      this.store.insertSession({
        id: sessionId,
        did,
        scope,
        appPasswordName,
        createdAt: refresh.issuedAt,
        expiresAt: refresh.expiresAt,
      })
      this.store.insertRefreshToken(refresh.id, sessionId, refresh.issuedAt, refresh.expiresAt)
    }
    return { ...pair, persist }
  }

  create(did: string, scope: AccessScope, appPasswordName: string | null): SessionPair {
    const session = this.prepare(did, scope, appPasswordName)
    this.db.transaction(session.persist)
    return { accessJwt: session.accessJwt, refreshJwt: session.refreshJwt }
  }

  /** Rotates the refresh token `tokenId` of `did`; throws ExpiredToken when it is no longer valid. */
  rotate(did: string, tokenId: string): SessionPair & { scope: AccessScope } {
    const now = this.now()
    const next = this.db.transaction(() => this.rotateInTx(did, tokenId, now))
    if (next === undefined) throw new InvalidRequestError('Token has been revoked', 'ExpiredToken')
    return { ...this.sign(did, next.scope, next, now), scope: next.scope }
  }

  /** Verifies an access JWT and its session (see `authorize`). */
  authenticate(accessJwt: string): AccessAuth {
    return this.authorize(this.tokens.verifyAccess(accessJwt))
  }

  /** Verifies a refresh JWT's signature and claims; `rotate` checks that it is still live. */
  verifyRefresh(refreshJwt: string): RefreshClaims {
    return this.tokens.verifyRefresh(refreshJwt)
  }

  /**
   * Checks that the access token's session is live and the account not taken down (unless the
   * session is the restricted one a taken-down account gets with allowTakendown).
   */
  authorize(claims: AccessAuth): AccessAuth {
    const live = this.store.liveSession(claims.sessionId, iso(this.now()))
    if (live === undefined || live.did !== claims.did) {
      throw new InvalidRequestError('Token has been revoked', 'ExpiredToken')
    }
    if (live.takedownRef !== null && live.scope !== 'takendown')
      throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
    return { did: live.did, scope: live.scope, sessionId: claims.sessionId }
  }

  /** Ends the session of a refresh token (logout); a token already gone is fine. */
  revokeByRefreshToken(tokenId: string): void {
    const row = this.store.refreshToken(tokenId)
    if (row !== undefined) this.store.deleteSession(row.sessionId)
  }

  /** Ends every session of the account. Call inside the transaction that changes the password. */
  revokeAllInTx(did: string): void {
    this.store.deleteSessionsOf(did)
  }

  private rotateInTx(
    did: string,
    tokenId: string,
    nowMs: number,
  ): (TokenRow & { scope: AccessScope }) | undefined {
    const now = iso(nowMs)
    const row = this.store.refreshToken(tokenId)
    if (row === undefined || row.did !== did || row.expiresAt <= now) return undefined
    // A taken-down account's restricted session lasts as long as its access token, as the reference.
    if (row.scope === 'takendown') return undefined
    if (row.nextId !== null) {
      const successor = this.store.refreshToken(row.nextId)
      return successor === undefined ? undefined : { ...successor, scope: row.scope }
    }
    this.store.deleteExpired(did, now)
    const issued = wholeSeconds(nowMs)
    const next: TokenRow = {
      id: randomId(),
      sessionId: row.sessionId,
      issuedAt: iso(issued),
      expiresAt: iso(issued + REFRESH_TOKEN_LIFETIME_MS),
    }
    const graceEnd = Math.min(nowMs + REFRESH_GRACE_MS, Date.parse(row.expiresAt))
    this.store.markRotated(row.id, next.id, iso(graceEnd))
    this.store.insertRefreshToken(next.id, next.sessionId, next.issuedAt, next.expiresAt)
    this.store.setSessionExpiry(next.sessionId, next.expiresAt)
    return { ...next, scope: row.scope }
  }

  private sign(did: string, scope: AccessScope, refresh: TokenRow, nowMs: number): SessionPair {
    return {
      accessJwt: this.tokens.signAccess({ did, scope, sessionId: refresh.sessionId }, nowMs),
      refreshJwt: this.tokens.signRefresh(
        { did, tokenId: refresh.id },
        Date.parse(refresh.issuedAt),
        Date.parse(refresh.expiresAt),
      ),
    }
  }
}

function randomId(): string {
  return randomBytes(24).toString('base64url')
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
