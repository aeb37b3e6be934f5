/**
 * The OAuth authorization server and the resource-side checks, behind one object built once per
 * process (the DPoP nonces and replay cache must be shared by every endpoint). The endpoints
 * verify the DPoP proof first: a proof without a fresh nonce is answered before anything
 * single-use (a client assertion's `jti`, a PKCE challenge, a code) is consumed, since the
 * client retries the same request with the new nonce.
 */
import type { Config } from '../../config/schema.ts'
import { OAuthError } from '../../core/oauth/errors.ts'
import { type Logger, silentLogger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import { OAuthTables } from '../../storage/oauth/index.ts'
import type { DidResolver } from '../identity/did-resolver.ts'
import type { ResolveTxtFn } from '../identity/handle-resolver.ts'
import type { SafeFetch } from '../outbound/safe-fetch.ts'
import { serviceDid } from '../server-info.ts'
import { type OAuthAccess, OAuthAccessVerifier, type PublicOrigin } from './access.ts'
import { AccessTokens } from './access-tokens.ts'
import { AccountApps } from './account-apps.ts'
import type { OAuthAccounts } from './accounts.ts'
import { ClientAuthenticator } from './client-auth.ts'
import { ClientResolver } from './clients.ts'
import { DeviceSessions } from './device-sessions.ts'
import { type DpopRequest, DpopVerifier } from './dpop.ts'
import { AuthorizationInteraction } from './interaction.ts'
import { authorizationServerMetadata, protectedResourceMetadata } from './metadata.ts'
import { type ParResponse, PushedRequests } from './par.ts'
import { PermissionSetResolver } from './permission-sets.ts'
import { ScopeCompiler } from './scopes.ts'
import { SigningKeys } from './signing-keys.ts'
import { TokenGrants, type TokenResponse } from './tokens.ts'

export interface OAuthServiceOptions {
  config: Config
  db: Db
  accounts: OAuthAccounts
  /** SSRF-guarded fetch for client metadata, client key sets and lexicon hosts. */
  fetch: SafeFetch
  dids: DidResolver
  /** DNS TXT lookups for `_lexicon.` names; the system resolver by default. */
  resolveTxt?: ResolveTxtFn
  logger?: Logger
  now?: () => number
}

/** A DPoP proof and the request it must match (method and public URL). */
export type DpopInput = Omit<DpopRequest, 'accessToken'>

export class OAuthService {
  readonly issuer: string
  readonly keys: SigningKeys
  readonly interaction: AuthorizationInteraction
  readonly apps: AccountApps
  readonly devices: DeviceSessions
  readonly accounts: OAuthAccounts
  private readonly dpop: DpopVerifier
  private readonly clients: ClientResolver
  private readonly clientAuth: ClientAuthenticator
  private readonly requests: PushedRequests
  private readonly grants: TokenGrants
  private readonly access: OAuthAccessVerifier

  constructor(opts: OAuthServiceOptions) {
    const now = opts.now ?? Date.now
    const logger = opts.logger ?? silentLogger()
    const tables = new OAuthTables(opts.db)
    const lifetimeMs = opts.config.oauth_access_token_lifetime_seconds * 1000
    this.issuer = opts.config.base_url
    this.accounts = opts.accounts
    this.keys = new SigningKeys(tables, lifetimeMs, now)
    this.dpop = new DpopVerifier(now)
    this.clients = new ClientResolver({ fetch: opts.fetch, now, logger })
    this.clientAuth = new ClientAuthenticator(this.clients, tables.replay, this.issuer, now)
    const sets = new PermissionSetResolver({
      fetch: opts.fetch,
      dids: opts.dids,
      resolveTxt: opts.resolveTxt,
      now,
      logger,
    })
    const scopes = new ScopeCompiler(sets)
    const tokens = new AccessTokens(this.keys, this.issuer, serviceDid(opts.config), lifetimeMs)
    this.requests = new PushedRequests(tables, this.clients, this.clientAuth, scopes, now)
    this.grants = new TokenGrants(tables, tokens, scopes, now)
    this.devices = new DeviceSessions(tables, now)
    this.interaction = new AuthorizationInteraction(
      tables,
      this.requests,
      scopes,
      opts.accounts,
      this.devices,
      this.issuer,
      now,
    )
    this.apps = new AccountApps(tables, now)
    this.access = new OAuthAccessVerifier(tables, tokens, this.dpop, now)
  }

  serverMetadata(): Record<string, unknown> {
    return authorizationServerMetadata(this.issuer)
  }

  resourceMetadata(): Record<string, unknown> {
    return protectedResourceMetadata(this.issuer, this.issuer)
  }

  /** The nonce every response to a DPoP-carrying request should include (DPoP-Nonce). */
  dpopNonce(): string {
    return this.dpop.nonce()
  }

  /** POST /oauth/par. Throws OAuthError. */
  async pushAuthorizationRequest(form: URLSearchParams, proof: DpopInput): Promise<ParResponse> {
    const dpop = await this.dpop.verify(proof)
    return this.requests.push(form, dpop)
  }

  /** POST /oauth/token. Throws OAuthError. */
  async token(form: URLSearchParams, proof: DpopInput): Promise<TokenResponse> {
    const dpop = await this.dpop.verify(proof)
    const client = await this.clients.resolve(form.get('client_id'))
    const ctx = { client, clientAuth: await this.clientAuth.authenticate(client, form), dpopJkt: dpop.jkt }
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.grants.exchangeCode(
          ctx,
          required(form, 'code'),
          required(form, 'code_verifier'),
          form.get('redirect_uri'),
        )
      case 'refresh_token':
        return this.grants.refresh(ctx, required(form, 'refresh_token'))
      default:
        throw new OAuthError(
          'unsupported_grant_type',
          'grant_type must be authorization_code or refresh_token',
        )
    }
  }

  /** POST /oauth/revoke (RFC 7009): succeeds for unknown tokens too. Throws OAuthError. */
  async revoke(form: URLSearchParams, proof: DpopInput): Promise<void> {
    if (proof.proof) await this.dpop.verify(proof)
    const token = required(form, 'token')
    const clientId = form.get('client_id')
    if (clientId !== null) await this.clientAuth.authenticate(await this.clients.resolve(clientId), form)
    await this.grants.revoke(token, clientId)
  }

  /** `Authorization: DPoP` on XRPC: null when absent; throws 401 XrpcErrors when invalid. */
  verifyOAuthAccess(request: Request, origin: PublicOrigin): Promise<OAuthAccess | null> {
    return this.access.verify(request, origin)
  }
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name)
  if (!value) throw new OAuthError('invalid_request', `${name} is required`)
  return value
}
