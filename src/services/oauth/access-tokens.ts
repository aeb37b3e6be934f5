/**
 * OAuth access tokens: ES256 JWTs (RFC 9068 `at+jwt`) signed with the server's published key,
 * bound to the client's DPoP key by `cnf.jkt` (RFC 9449 §6). `sid` names the OAuth session row,
 * which every request checks, so revoking a session ends its access tokens at once.
 */
import { randomBytes } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose'
import { OAuthError } from '../../core/oauth/errors.ts'
import { SIGNING_ALG, type SigningKeys } from './signing-keys.ts'

const TYP = 'at+jwt'

export interface AccessTokenClaims {
  /** The OAuth session (oauth_token row) id. */
  sid: string
  did: string
  clientId: string
  /** Thumbprint of the DPoP key the token is bound to. */
  jkt: string
  /** The granted scope string. */
  scope: string
}

export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    /** The resource server's identity: our service DID. */
    private readonly audience: string,
    private readonly lifetimeMs: number,
  ) {}

  get lifetimeSeconds(): number {
    return Math.floor(this.lifetimeMs / 1000)
  }

  async sign(claims: AccessTokenClaims, nowMs: number): Promise<string> {
    const { kid, key } = await this.keys.active()
    const iat = Math.floor(nowMs / 1000)
    return new SignJWT({
      scope: claims.scope,
      client_id: claims.clientId,
      sid: claims.sid,
      cnf: { jkt: claims.jkt },
    })
      .setProtectedHeader({ alg: SIGNING_ALG, typ: TYP, kid })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(claims.did)
      .setJti(randomBytes(16).toString('base64url'))
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.lifetimeSeconds)
      .sign(key)
  }

  /** Throws OAuthError invalid_token (401). */
  async verify(token: string, nowMs: number): Promise<AccessTokenClaims> {
    const key = await this.keyFor(token)
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key, {
        algorithms: [SIGNING_ALG],
        typ: TYP,
        issuer: this.issuer,
        audience: this.audience,
        currentDate: new Date(nowMs),
      }))
    } catch (err) {
      throw invalidToken(
        err instanceof errors.JWTExpired ? 'the access token has expired' : 'invalid access token',
      )
    }
    return claimsOf(payload)
  }

  /**
   * The session id of a token signed by us, expired or not (for revocation); undefined for
   * anything else.
   */
  async sessionOf(token: string): Promise<{ sid: string; clientId: string } | undefined> {
    try {
      const { payload } = await compactVerify(token, await this.keyFor(token))
      const claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload
      return typeof claims.sid === 'string' && typeof claims.client_id === 'string'
        ? { sid: claims.sid, clientId: claims.client_id }
        : undefined
    } catch {
      return undefined
    }
  }

  private async keyFor(token: string): Promise<CryptoKey> {
    let kid: string | undefined
    try {
      kid = decodeProtectedHeader(token).kid
    } catch {
      throw invalidToken('malformed access token')
    }
    const key = kid === undefined ? undefined : await this.keys.verificationKey(kid)
    if (key === undefined) throw invalidToken('the access token was not signed by this server')
    return key
  }
}

function claimsOf(payload: JWTPayload): AccessTokenClaims {
  const cnf = payload.cnf as { jkt?: unknown } | undefined
  const { sid, client_id: clientId, sub, scope } = payload
  if (
    typeof sid !== 'string' ||
    typeof clientId !== 'string' ||
    typeof sub !== 'string' ||
    typeof scope !== 'string' ||
    typeof cnf?.jkt !== 'string'
  ) {
    throw invalidToken('malformed access token')
  }
  return { sid, did: sub, clientId, jkt: cnf.jkt, scope }
}

export function invalidToken(description: string): OAuthError {
  return new OAuthError('invalid_token', description, 401)
}
