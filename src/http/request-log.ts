/**
 * Per-request bookkeeping: a request id (returned as X-Request-Id and attached to every log line
 * about the request), the CORS headers of CORS paths, and one structured log line per request.
 * The line carries the path without its query string (queries may hold tokens or codes) and never
 * any header value.
 */
import type { Logger } from '../lib/logger.ts'
import { clientInfo, type PeerSource } from './client-info.ts'
import { applyCorsHeaders, isCorsPath } from './cors.ts'

export interface RequestState {
  id: string
  start: number
  url: URL
}

export class RequestLog {
  readonly #logger: Logger
  // Keyed by the Request object, which every Elysia hook of one request shares.
  readonly #states = new WeakMap<Request, RequestState>()

  constructor(logger: Logger) {
    this.#logger = logger
  }

  begin(request: Request): RequestState {
    const state = { id: crypto.randomUUID(), start: performance.now(), url: new URL(request.url) }
    this.#states.set(request, state)
    return state
  }

  /** The request's state; begins it when a hook runs before `begin` did (it should not). */
  state(request: Request): RequestState {
    return this.#states.get(request) ?? this.begin(request)
  }

  /** Adds the request id and CORS headers, and writes the log line. */
  finish(request: Request, response: Response, server: PeerSource | null | undefined): Response {
    const state = this.state(request)
    const final = withRequestId(response, state.id)
    if (isCorsPath(state.url.pathname)) applyCorsHeaders(final.headers)
    const client = clientInfo(request, server)
    this.#logger.info('request', {
      requestId: state.id,
      method: request.method,
      path: state.url.pathname,
      status: final.status,
      durationMs: Math.round((performance.now() - state.start) * 10) / 10,
      // A getter: the logger reads fields only for lines it writes, so below `info` the peer
      // address is never looked up.
      get ip() {
        return client.ip
      },
    })
    return final
  }
}

/** Responses from fetch() have immutable headers: those get copied (the body stream is kept). */
function withRequestId(response: Response, id: string): Response {
  try {
    response.headers.set('X-Request-Id', id)
    return response
  } catch {
    const copy = new Response(response.body, response)
    copy.headers.set('X-Request-Id', id)
    return copy
  }
}
