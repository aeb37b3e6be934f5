/**
 * The OAuth authorization server and OAuth on XRPC (docs/OAUTH.md). One OAuthService per
 * context: the DPoP nonce secret and replay cache must be shared by every endpoint.
 */
import { VERSION } from '../../lib/version.ts'
import type { AppContext } from '../context.ts'
import { createSafeFetch } from '../outbound/index.ts'
import { OAuthService } from './oauth-service.ts'

export type { OAuthAccess, PublicOrigin } from './access.ts'
export type { AuthorizedApp } from './account-apps.ts'
export type { OAuthAccounts } from './accounts.ts'
export { checkMethodScope, type MethodCall } from './method-scopes.ts'
export { type DpopInput, OAuthService, type OAuthServiceOptions } from './oauth-service.ts'
export { hasScope, oauthOf, refuseOAuth, requireScope, type ScopedAuth } from './require-scope.ts'

const OUTBOUND_TIMEOUT_MS = 10_000
const OUTBOUND_MAX_BYTES = 1024 * 1024
const services = new WeakMap<AppContext, OAuthService>()

/** The context's OAuth service, built on first use. */
export function oauthFor(ctx: AppContext): OAuthService {
  let oauth = services.get(ctx)
  if (oauth === undefined) {
    oauth = new OAuthService({
      config: ctx.config,
      db: ctx.db,
      logger: ctx.logger,
      accounts: ctx.accounts,
      // Client metadata and lexicon hosts are always public: no private addresses, even in dev.
      fetch: createSafeFetch({
        allowPrivate: false,
        timeoutMs: OUTBOUND_TIMEOUT_MS,
        maxBytes: OUTBOUND_MAX_BYTES,
        userAgent: `perlsky/${VERSION}`,
      }),
      dids: ctx.identity.dids,
    })
    services.set(ctx, oauth)
  }
  return oauth
}

/** `verifyOAuthAccess(request, client)`: the OAuth identity of an XRPC request, or null. */
export function verifyOAuthAccess(
  ctx: AppContext,
  request: Request,
  client: { proto: string; host: string },
) {
  return oauthFor(ctx).verifyOAuthAccess(request, client)
}
