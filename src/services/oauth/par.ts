/**
 * Pushed authorization requests (RFC 9126; oauth.md "Pushed Authorization Requests (PAR)"):
 * the client, its authentication, its DPoP key and the request parameters are checked and
 * stored; the client gets a `request_uri` valid for PAR_LIFETIME_MS to send the browser to
 * /oauth/authorize with. PKCE challenges may not be reused for a day (oauth.md "PKCE").
 */
import { randomBytes } from 'node:crypto'
import {
  type AuthorizationParams,
  parseAuthorizationRequest,
} from '../../core/oauth/authorization-request.ts'
import { OAuthError } from '../../core/oauth/errors.ts'
import type { OAuthTables, RequestRow } from '../../storage/oauth/index.ts'
import type { ClientAuthenticator } from './client-auth.ts'
import type { ClientResolver, OAuthClient } from './clients.ts'
import type { VerifiedDpop } from './dpop.ts'
import type { ScopeCompiler } from './scopes.ts'

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'
export const PAR_LIFETIME_MS = 5 * 60_000
const CHALLENGE_REPLAY_WINDOW_MS = 24 * 3_600_000

export interface ParResponse {
  request_uri: string
  expires_in: number
}

/** A pushed request on its way through the authorization pages. */
export interface PendingRequest {
  id: string
  requestUri: string
  createdAt: number
  params: AuthorizationParams
  client: OAuthClient
}

export class PushedRequests {
  constructor(
    private readonly tables: OAuthTables,
    private readonly clients: ClientResolver,
    private readonly clientAuth: ClientAuthenticator,
    private readonly scopes: ScopeCompiler,
    private readonly now: () => number = Date.now,
  ) {}

  async push(form: URLSearchParams, dpop: VerifiedDpop): Promise<ParResponse> {
    const client = await this.clients.resolve(form.get('client_id'))
    const auth = await this.clientAuth.authenticate(client, form)
    const params = parseAuthorizationRequest(form, client.metadata)
    if (params.dpopJkt !== undefined && params.dpopJkt !== dpop.jkt) {
      throw new OAuthError('invalid_dpop_proof', 'dpop_jkt does not match the DPoP proof key')
    }
    // Resolves (and caches) the permission sets now, so an unusable include: fails here.
    await this.scopes.compile(params.scope)
    const now = this.now()
    const fresh = this.tables.replay.consume(
      'pkce',
      params.codeChallenge,
      new Date(now + CHALLENGE_REPLAY_WINDOW_MS).toISOString(),
      new Date(now).toISOString(),
    )
    if (!fresh) throw new OAuthError('invalid_request', 'code_challenge was used before')
    const id = `req-${randomBytes(16).toString('hex')}`
    this.tables.db.transaction(() => {
      this.tables.requests.deleteExpired(new Date(now).toISOString())
      this.tables.replay.deleteExpired(new Date(now).toISOString())
      this.tables.requests.insert({
        id,
        clientId: client.clientId,
        clientAuth: JSON.stringify(auth),
        parameters: JSON.stringify(params),
        dpopJkt: dpop.jkt,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + PAR_LIFETIME_MS).toISOString(),
      })
    })
    return { request_uri: REQUEST_URI_PREFIX + id, expires_in: PAR_LIFETIME_MS / 1000 }
  }

  /**
   * The request behind a `request_uri`, still waiting for the user. Throws
   * AuthorizationPageError: without a trusted request there is no redirect_uri to answer to.
   */
  async pending(clientId: string | null, requestUri: string | null): Promise<PendingRequest> {
    const id = requestUri?.startsWith(REQUEST_URI_PREFIX)
      ? requestUri.slice(REQUEST_URI_PREFIX.length)
      : undefined
    const row =
      id === undefined ? undefined : this.tables.requests.live(id, new Date(this.now()).toISOString())
    if (row === undefined || row.codeHash !== null) {
      throw new AuthorizationPageError(
        'This sign-in request has expired or was already used. Go back to the app and try again.',
      )
    }
    if (row.clientId !== clientId)
      throw new AuthorizationPageError('This sign-in request belongs to another app.')
    return {
      id: row.id,
      requestUri: REQUEST_URI_PREFIX + row.id,
      createdAt: Date.parse(row.createdAt),
      ...(await this.load(row)),
    }
  }

  private async load(row: RequestRow): Promise<{ params: AuthorizationParams; client: OAuthClient }> {
    const params = JSON.parse(row.parameters) as AuthorizationParams
    try {
      return { params, client: await this.clients.resolve(row.clientId) }
    } catch (err) {
      throw new AuthorizationPageError(`The app's details cannot be loaded: ${(err as Error).message}`)
    }
  }
}

/** A problem the authorization pages show to the user instead of redirecting. */
export class AuthorizationPageError extends Error {
  override name = 'AuthorizationPageError'
}
