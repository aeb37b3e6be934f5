/**
 * The access and refresh JWTs of password sessions: HS256 with `jwt_secret`, shaped as the
 * reference PDS's (header typ `at+jwt` / `refresh+jwt`; claims scope, sub, aud = our service DID,
 * iat, exp, and jti on refresh tokens). Access tokens also carry `sid`, the session they belong
 * to, so revoking the session (logout, password reset, revoked app password) kills them at once.
 * Verification errors are the reference's: 400 ExpiredToken / InvalidToken.
 * Every authenticated request verifies one, so HS256 is computed here with Bun's native HMAC:
 * jose goes through WebCrypto, whose asynchronous HMAC costs ~45 µs a call on Bun against ~1 µs.
 */
import { timingSafeEqual } from 'node:crypto'
import {
  type CompactJws,
  decodeCompactJws,
  encodeCompactJws,
  JwtFormatError,
} from '../../core/compact-jws.ts'
import { InvalidRequestError } from '../errors.ts'

export const ACCESS_TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000
export const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000

/** `takendown`: a taken-down account's restricted session (services/moderation/takendown-session.ts). */
export type AccessScope = 'access' | 'appPass' | 'appPassPrivileged' | 'takendown'

/** The wire value of each scope. */
export const SCOPE_CLAIMS = {
  access: 'com.atproto.access',
  appPass: 'com.atproto.appPass',
  appPassPrivileged: 'com.atproto.appPassPrivileged',
  takendown: 'com.atproto.takendown',
  refresh: 'com.atproto.refresh',
} as const

const ACCESS_TYP = 'at+jwt'
const REFRESH_TYP = 'refresh+jwt'

export interface AccessClaims {
  did: string
  scope: AccessScope
  sessionId: string
}

export interface RefreshClaims {
  did: string
  tokenId: string
}

export class SessionTokens {
  private readonly key: Uint8Array

  constructor(
    secret: string,
    private readonly serviceDid: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret)
  }

  signAccess(claims: AccessClaims, issuedAtMs: number): string {
    const iat = Math.floor(issuedAtMs / 1000)
    return this.sign(ACCESS_TYP, {
      scope: SCOPE_CLAIMS[claims.scope],
      sid: claims.sessionId,
      sub: claims.did,
      aud: this.serviceDid,
      iat,
      exp: iat + ACCESS_TOKEN_LIFETIME_MS / 1000,
    })
  }

  /** Deterministic for the same (did, jti, iat, exp): a replayed rotation gets the same token. */
  signRefresh(claims: RefreshClaims, issuedAtMs: number, expiresAtMs: number): string {
    return this.sign(REFRESH_TYP, {
      scope: SCOPE_CLAIMS.refresh,
      sub: claims.did,
      aud: this.serviceDid,
      jti: claims.tokenId,
      iat: Math.floor(issuedAtMs / 1000),
      exp: Math.floor(expiresAtMs / 1000),
    })
  }

  verifyAccess(token: string): AccessClaims {
    const payload = this.verify(token, ACCESS_TYP)
    const scope = accessScopeOf(payload.scope)
    if (scope === undefined) throw invalidToken('Bad token scope')
    if (typeof payload.sid !== 'string') throw invalidToken('Malformed token')
    return { did: payload.sub, scope, sessionId: payload.sid }
  }

  verifyRefresh(token: string): RefreshClaims {
    const payload = this.verify(token, REFRESH_TYP)
    if (payload.scope !== SCOPE_CLAIMS.refresh) throw invalidToken('Bad token scope')
    if (typeof payload.jti !== 'string') throw invalidToken('Unexpected missing refresh token id')
    return { did: payload.sub, tokenId: payload.jti }
  }

  private sign(typ: string, payload: Record<string, unknown>): string {
    return encodeCompactJws({ alg: 'HS256', typ }, payload, (input) => this.mac(input))
  }

  private verify(token: string, typ: string): Record<string, unknown> & { sub: string } {
    const { header, payload, signingInput, signature } = this.decode(token)
    const { exp, iat, aud, sub } = payload
    const wellFormed = typeof exp === 'number' && (iat === undefined || typeof iat === 'number')
    if (header.alg !== 'HS256' || !this.signedByUs(signingInput, signature) || !wellFormed) {
      throw invalidToken('Token could not be verified')
    }
    if (aud !== this.serviceDid) throw invalidToken('Token could not be verified')
    if (exp * 1000 <= this.now()) throw new InvalidRequestError('Token has expired', 'ExpiredToken')
    if (header.typ !== typ) throw invalidToken('Invalid token type')
    if (typeof sub !== 'string' || !sub.startsWith('did:')) throw invalidToken('Malformed token')
    return { ...payload, sub }
  }

  private decode(token: string): CompactJws {
    try {
      return decodeCompactJws(token)
    } catch (err) {
      if (err instanceof JwtFormatError) throw invalidToken('Token could not be verified')
      throw err
    }
  }

  private signedByUs(signingInput: Uint8Array, signature: Uint8Array): boolean {
    const expected = this.mac(signingInput)
    return signature.length === expected.length && timingSafeEqual(signature, expected)
  }

  private mac(input: Uint8Array): Uint8Array {
    return new Bun.CryptoHasher('sha256', this.key).update(input).digest()
  }
}

function invalidToken(message: string): InvalidRequestError {
  return new InvalidRequestError(message, 'InvalidToken')
}

function accessScopeOf(claim: unknown): AccessScope | undefined {
  if (claim === SCOPE_CLAIMS.access) return 'access'
  if (claim === SCOPE_CLAIMS.appPass) return 'appPass'
  if (claim === SCOPE_CLAIMS.appPassPrivileged) return 'appPassPrivileged'
  if (claim === SCOPE_CLAIMS.takendown) return 'takendown'
  return undefined
}
