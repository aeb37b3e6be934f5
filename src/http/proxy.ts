/**
 * The XRPC catch-all (docs/PROXY.md): every call the route table does not answer itself — a
 * lexicon method without a handler here, or an NSID we have no lexicon for — goes to the service
 * proxy. As the reference, locally served methods stay local even with an atproto-proxy header.
 * Here: the verb check, optional authentication (a session token, or an OAuth token whose `rpc:`
 * permission the proxy checks against the target), and turning the proxy's answer into the
 * response: upstream bytes streamed as they came, or a read-after-write patched JSON body.
 */
import type { Nsid } from '../core/syntax/nsid.ts'
import type { AppContext } from '../services/context.ts'
import { ForbiddenError, InvalidRequestError } from '../services/errors.ts'
import { verifyOAuthAccess } from '../services/oauth/index.ts'
import { type ProxyAnswer, type ProxyCaller, proxyFor } from '../services/proxy/index.ts'
import { outputResponse } from './xrpc/output.ts'
import type { XrpcCall } from './xrpc/route.ts'
import type { AuthVerifiers } from './xrpc/types.ts'

const PROXIED_VERBS = new Set(['GET', 'HEAD', 'POST'])

export type ProxyRoute = (call: XrpcCall, nsid: Nsid) => Promise<Response>

export function createProxyRoute(ctx: AppContext, auth: AuthVerifiers): ProxyRoute {
  const proxy = proxyFor(ctx)
  return async (call, nsid) => {
    const { request } = call
    if (!PROXIED_VERBS.has(request.method)) {
      throw new InvalidRequestError('XRPC requests only supports GET and POST')
    }
    const answer = await proxy.forward({
      nsid,
      verb: request.method,
      search: call.url.search,
      headers: request.headers,
      body: request.method === 'POST' ? request.body : null,
      auth: await caller(ctx, auth, call, nsid),
      signal: request.signal,
      logger: call.logger,
    })
    return toResponse(answer, request.headers.get('accept-encoding'))
  }
}

/**
 * The signed-in caller, or null without an Authorization header. OAuth tokens are verified here
 * without the per-method check of the local routes (a proxied method needs `rpc:` permission
 * for its target, which the proxy checks); session tokens as on any other route.
 */
async function caller(ctx: AppContext, auth: AuthVerifiers, call: XrpcCall, nsid: string) {
  const { request, client } = call
  if (!request.headers.get('authorization')) return null
  const oauth = await verifyOAuthAccess(ctx, request, client)
  if (oauth === null) return auth.optionalAccess({ request, nsid, params: {}, client })
  if (!oauth.scopes.hasAtproto())
    throw new ForbiddenError('The token lacks the atproto scope', 'InvalidToken')
  const scoped: ProxyCaller = { did: oauth.did, scope: 'access', sessionId: oauth.tokenId, oauth }
  return scoped
}

function toResponse(answer: ProxyAnswer, acceptEncoding: string | null): Response {
  if (answer.kind === 'upstream') {
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  }
  const headers = Object.fromEntries(answer.headers)
  return outputResponse({ encoding: 'application/json', body: answer.body, headers }, acceptEncoding)
}
