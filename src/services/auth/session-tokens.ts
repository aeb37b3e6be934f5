/**
 * The access and refresh JWTs of password sessions: HS256 with `jwt_secret`, shaped as the
 * reference PDS's (header typ `at+jwt` / `refresh+jwt`; claims scope, sub, aud = our service DID,
 * iat, exp, and jti on refresh tokens). Access tokens also carry `sid`, the session they belong
 * to, so revoking the session (logout, password reset, revoked app password) kills them at once.
 * Verification errors are the reference's: 400 ExpiredToken / InvalidToken.
 */
import { errors, jwtVerify, SignJWT } from 'jose'
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

  signAccess(claims: AccessClaims, issuedAtMs: number): Promise<string> {
    const iat = Math.floor(issuedAtMs / 1000)
    return new SignJWT({ scope: SCOPE_CLAIMS[claims.scope], sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: ACCESS_TYP })
      .setSubject(claims.did)
      .setAudience(this.serviceDid)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_LIFETIME_MS / 1000)
      .sign(this.key)
  }

  /** Deterministic for the same (did, jti, iat, exp): a replayed rotation gets the same token. */
  signRefresh(claims: RefreshClaims, issuedAtMs: number, expiresAtMs: number): Promise<string> {
    return new SignJWT({ scope: SCOPE_CLAIMS.refresh })
      .setProtectedHeader({ alg: 'HS256', typ: REFRESH_TYP })
      .setSubject(claims.did)
      .setAudience(this.serviceDid)
      .setJti(claims.tokenId)
      .setIssuedAt(Math.floor(issuedAtMs / 1000))
      .setExpirationTime(Math.floor(expiresAtMs / 1000))
      .sign(this.key)
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.verify(token, ACCESS_TYP)
    const scope = accessScopeOf(payload.scope)
    if (scope === undefined) throw new InvalidRequestError('Bad token scope', 'InvalidToken')
    if (typeof payload.sid !== 'string') throw new InvalidRequestError('Malformed token', 'InvalidToken')
    return { did: payload.sub, scope, sessionId: payload.sid }
  }

  async verifyRefresh(token: string): Promise<RefreshClaims> {
    const payload = await this.verify(token, REFRESH_TYP)
    if (payload.scope !== SCOPE_CLAIMS.refresh)
      throw new InvalidRequestError('Bad token scope', 'InvalidToken')
    if (typeof payload.jti !== 'string') {
      throw new InvalidRequestError('Unexpected missing refresh token id', 'InvalidToken')
    }
    return { did: payload.sub, tokenId: payload.jti }
  }

  private async verify(token: string, typ: string): Promise<Record<string, unknown> & { sub: string }> {
    let result: Awaited<ReturnType<typeof jwtVerify>>
    try {
      result = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: this.serviceDid,
        currentDate: new Date(this.now()),
      })
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new InvalidRequestError('Token has expired', 'ExpiredToken')
      throw new InvalidRequestError('Token could not be verified', 'InvalidToken')
    }
    if (result.protectedHeader.typ !== typ)
      throw new InvalidRequestError('Invalid token type', 'InvalidToken')
    const { sub } = result.payload
    if (typeof sub !== 'string' || !sub.startsWith('did:')) {
      throw new InvalidRequestError('Malformed token', 'InvalidToken')
    }
    return { ...result.payload, sub }
  }
}

function accessScopeOf(claim: unknown): AccessScope | undefined {
  if (claim === SCOPE_CLAIMS.access) return 'access'
  if (claim === SCOPE_CLAIMS.appPass) return 'appPass'
  if (claim === SCOPE_CLAIMS.appPassPrivileged) return 'appPassPrivileged'
  if (claim === SCOPE_CLAIMS.takendown) return 'takendown'
  return undefined
}
