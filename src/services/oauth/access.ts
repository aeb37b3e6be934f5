/**
 * OAuth on resource requests (XRPC): `Authorization: DPoP <access token>` plus a `DPoP` proof
 * bound to that token (RFC 9449 §7). The proof is checked against the public URL of the
 * request (behind a proxy: the forwarded scheme and host), the token's signature and binding
 * (`cnf.jkt`) against the proof's key, and the session row against revocation and takedown.
 * Failures answer 401 with `WWW-Authenticate: DPoP error="…"` (and a DPoP-Nonce when a fresh
 * nonce is needed), which is what OAuth clients look at to retry or refresh.
 */
import { OAuthError } from '../../core/oauth/errors.ts'
import { ScopeSet } from '../../core/permissions/scope-set.ts'
import type { OAuthTables } from '../../storage/oauth/index.ts'
import { AuthRequiredError, XrpcError } from '../errors.ts'
import { type AccessTokens, invalidToken } from './access-tokens.ts'
import type { DpopVerifier } from './dpop.ts'

/** A verified OAuth request: who, through which app, with which permissions. */
export interface OAuthAccess {
  did: string
  scopes: ScopeSet
  clientId: string
  /** The OAuth session (what the user sees as one authorized app). */
  tokenId: string
}

/** The scheme and host the client addressed (see http/client-info.ts). */
export interface PublicOrigin {
  proto: string
  host: string
}

const MAX_CACHED_SCOPE_SETS = 1000

export class OAuthAccessVerifier {
  private readonly scopeSets = new Map<string, ScopeSet>()

  constructor(
    private readonly tables: OAuthTables,
    private readonly tokens: AccessTokens,
    private readonly dpop: DpopVerifier,
    private readonly now: () => number = Date.now,
  ) {}

  /** Null when the request carries no DPoP authorization; throws 401 XrpcErrors. */
  async verify(request: Request, origin: PublicOrigin): Promise<OAuthAccess | null> {
    const authorization = request.headers.get('authorization')
    if (authorization === null || !/^dpop /i.test(authorization)) return null
    const token = authorization.slice(5).trim()
    try {
      const url = `${origin.proto}://${origin.host}${new URL(request.url).pathname}`
      const proof = request.headers.get('dpop')
      const dpop = await this.dpop.verify({ proof, method: request.method, url, accessToken: token })
      const claims = await this.tokens.verify(token, this.now())
      if (claims.jkt !== dpop.jkt) throw invalidToken('the access token is bound to another DPoP key')
      const live = this.tables.tokens.live(claims.sid, new Date(this.now()).toISOString())
      if (live === undefined || live.did !== claims.did) throw invalidToken('the session has ended')
      if (live.takedownRef !== null)
        throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
      return {
        did: live.did,
        scopes: this.scopeSet(live.permissions),
        clientId: live.clientId,
        tokenId: live.id,
      }
    } catch (err) {
      throw err instanceof OAuthError ? this.resourceError(err) : err
    }
  }

  /** The nonce to send with every response to a DPoP request. */
  nonce(): string {
    return this.dpop.nonce()
  }

  private scopeSet(permissions: string): ScopeSet {
    let set = this.scopeSets.get(permissions)
    if (set === undefined) {
      if (this.scopeSets.size >= MAX_CACHED_SCOPE_SETS) this.scopeSets.clear()
      set = ScopeSet.parse(permissions)
      this.scopeSets.set(permissions, set)
    }
    return set
  }

  private resourceError(err: OAuthError): XrpcError {
    const code =
      err.error === 'invalid_token' || err.error === 'use_dpop_nonce' ? err.error : 'invalid_dpop_proof'
    const headers: Record<string, string> = {
      'WWW-Authenticate': `DPoP algs="ES256", error="${code}", error_description="${quoted(err.description)}"`,
      'DPoP-Nonce': this.dpop.nonce(),
    }
    return new XrpcError(401, code === 'invalid_token' ? 'InvalidToken' : code, err.description, { headers })
  }
}

/** A value safe inside a quoted-string of an HTTP auth parameter. */
export function quoted(text: string): string {
  return text.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')
}
