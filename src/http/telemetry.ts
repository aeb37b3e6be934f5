/**
 * What the route table tells the metrics and Sentry about requests: every XRPC response's method,
 * status and latency; every error reaching the error mapper by its error name; and the exceptions
 * that reached it unhandled (the 500 path), which are counted and, with sentry_dsn set, reported
 * with the request's context. The method label is the NSID only for methods in the lexicon
 * catalogue: anything else is `unknown`, so made-up NSIDs cannot mint series.
 * Sentry wants the account a failing request was made for: `observeAuth` wraps the auth
 * verifiers and remembers each request's DID until the request is gone.
 */
import type { AppContext } from '../services/context.ts'
import { XrpcError } from '../services/errors.ts'
import { toXrpcError } from './error-mapper.ts'
import type { RequestState } from './request-log.ts'
import type { XrpcLexicons } from './xrpc/lexicons.ts'
import { type AuthMode, type AuthRequest, type AuthVerifiers, authDid } from './xrpc/types.ts'

const XRPC_PREFIX = '/xrpc/'
/** The method label of requests outside /xrpc/ (OAuth, well-known, pages). */
export const NON_XRPC = 'none'
export const UNKNOWN_METHOD = 'unknown'
/** /xrpc/_health, which uptime monitors poll: a label of its own. */
const HEALTH = '_health'

export interface HttpTelemetry {
  /** A response is ready: XRPC calls are counted by method and status, with their latency. */
  responded(request: Request, state: RequestState, status: number): void
  /** An error is about to be mapped: counted by name; an unhandled one is also reported. */
  failed(request: Request, state: RequestState, err: unknown): void
  /** The verifiers, remembering the DID each request authenticated as. */
  observeAuth(verifiers: AuthVerifiers): AuthVerifiers
}

export function createHttpTelemetry(ctx: AppContext, lexicons: XrpcLexicons): HttpTelemetry {
  const { metrics, errorReporter } = ctx
  const dids = new WeakMap<Request, string>()
  const methodOf = (pathname: string): string | undefined => {
    if (!pathname.startsWith(XRPC_PREFIX)) return undefined
    const nsid = pathname.slice(XRPC_PREFIX.length, pathname.endsWith('/') ? -1 : undefined)
    if (nsid === HEALTH) return HEALTH
    return lexicons.getMethod(nsid) === undefined ? UNKNOWN_METHOD : nsid
  }
  return {
    responded(request, state, status) {
      // CORS preflights are the browser's, not calls.
      if (request.method === 'OPTIONS') return
      const method = methodOf(state.url.pathname)
      if (method !== undefined) metrics.xrpcRequest(method, status, (performance.now() - state.start) / 1000)
    },
    failed(request, state, err) {
      const method = methodOf(state.url.pathname)
      if (method !== undefined) metrics.xrpcError(method, toXrpcError(err).error)
      if (err instanceof XrpcError) return
      metrics.unhandledException(method ?? NON_XRPC)
      errorReporter.report(err, {
        requestId: state.id,
        method: request.method,
        nsid: method === UNKNOWN_METHOD ? undefined : method,
        path: state.url.pathname,
        query: state.url.searchParams,
        did: dids.get(request),
      })
    },
    // Without Sentry nobody asks for the DID: the verifiers stay as they are.
    observeAuth: (verifiers) => (errorReporter.enabled ? rememberingDids(verifiers, dids) : verifiers),
  }
}

function rememberingDids(verifiers: AuthVerifiers, dids: WeakMap<Request, string>): AuthVerifiers {
  const wrapped: Partial<Record<AuthMode, (req: AuthRequest) => Promise<unknown>>> = {}
  for (const mode of Object.keys(verifiers) as AuthMode[]) {
    const verify = verifiers[mode] as (req: AuthRequest) => unknown
    wrapped[mode] = async (req) => {
      const result = await verify(req)
      const did = authDid(result)
      if (did !== undefined) dids.set(req.request, did)
      return result
    }
  }
  return wrapped as AuthVerifiers
}
