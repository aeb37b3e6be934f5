/**
 * The OAuth HTTP surface for the route table: the JSON endpoints, the authorization pages, the
 * account page and the pages' stylesheet, all over the context's one OAuthService.
 */
import type { AppContext } from '../../services/context.ts'
import { oauthFor } from '../../services/oauth/index.ts'
import type { PeerSource } from '../client-info.ts'
import { clientInfo } from '../client-info.ts'
import { STYLESHEET } from '../pages/styles.ts'
import { AccountPages } from './account.ts'
import { AuthorizePages } from './authorize.ts'
import { OAuthEndpoints } from './endpoints.ts'
import { pageSite, type WebRequest } from './web.ts'

export interface OAuthHttp {
  endpoints: OAuthEndpoints
  authorize: AuthorizePages
  account: AccountPages
  stylesheet(): Response
  /** The DPoP-Nonce every response to a DPoP-carrying XRPC request carries. */
  withDpopNonce(request: Request, response: Response): Response
}

export function createOAuthHttp(ctx: AppContext): OAuthHttp {
  const oauth = oauthFor(ctx)
  const site = pageSite(ctx.config)
  return {
    endpoints: new OAuthEndpoints(oauth),
    authorize: new AuthorizePages(oauth, site),
    account: new AccountPages(oauth, site),
    stylesheet: () =>
      new Response(STYLESHEET, {
        headers: { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' },
      }),
    withDpopNonce: (request, response) => {
      if (!request.headers.has('dpop') || response.headers.has('dpop-nonce')) return response
      try {
        response.headers.set('DPoP-Nonce', oauth.dpopNonce())
        return response
      } catch {
        // Responses from fetch() (the proxy) have immutable headers.
        const copy = new Response(response.body, response)
        copy.headers.set('DPoP-Nonce', oauth.dpopNonce())
        return copy
      }
    },
  }
}

/** What the page handlers need from a request. */
export function webRequest(request: Request, server: PeerSource | null | undefined): WebRequest {
  return { request, client: clientInfo(request, server) }
}
