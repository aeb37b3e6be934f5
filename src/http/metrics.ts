/**
 * GET /metrics: the Prometheus text exposition of services/metrics (docs/METRICS.md).
 * Who may read it:
 * - with `metrics_token` set: requests whose Authorization header is exactly
 *   `Bearer <metrics_token>` (compared in constant time); anything else gets 401;
 * - without it: only requests made directly to a loopback listener from the same machine, i.e.
 *   the listener's host is loopback, the peer is loopback and no X-Forwarded-For / Forwarded
 *   header says a reverse proxy relayed the request; anything else gets 403. Behind the
 *   supported reverse proxies (which set X-Forwarded-For) the metrics stay private until a
 *   token is configured.
 * It also plugs the proxy's call counters into the metrics, being the HTTP-side piece that knows
 * both.
 */
import { isTrustedProxyAddress } from '../config/trust-proxy.ts'
import { secretMatcher } from '../lib/secret-match.ts'
import type { AppContext } from '../services/context.ts'
import { AuthRequiredError, ForbiddenError } from '../services/errors.ts'
import { proxyFor } from '../services/proxy/index.ts'
import type { PeerSource } from './client-info.ts'

/** The parts of Bun's Server the access rule looks at. */
export interface MetricsListener extends PeerSource {
  readonly hostname: string | undefined
}

export type MetricsEndpoint = (request: Request, server: MetricsListener | null) => Promise<Response>

/** How long after the app is built the process metrics start (see below). */
const PROCESS_METRICS_DELAY_MS = 1000

export function createMetricsEndpoint(ctx: AppContext): MetricsEndpoint {
  const { metrics } = ctx
  const proxy = proxyFor(ctx)
  metrics.sources.proxyCalls = () => proxy.stats.snapshot()
  // Started a moment later rather than here: registering them takes a heap census
  // (v8.getHeapSpaceStatistics), several ms in a fresh process, which would delay the first
  // answer. A scrape before then starts them itself, so every scrape has the same metrics.
  setTimeout(() => metrics.startProcessMetrics(), PROCESS_METRICS_DELAY_MS).unref()
  const token = ctx.config.metrics_token
  const isAuthorization = token === undefined ? undefined : secretMatcher(`Bearer ${token}`)
  return async (request, server) => {
    if (isAuthorization !== undefined) {
      if (!isAuthorization(request.headers.get('authorization') ?? '')) {
        throw new AuthRequiredError('A valid metrics token is required', 'AuthenticationRequired', {
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        })
      }
    } else if (!isDirectLoopback(request, server)) {
      throw new ForbiddenError(
        'metrics_token is not set: /metrics answers only direct requests to a loopback listener',
      )
    }
    metrics.startProcessMetrics()
    return new Response(await metrics.scrape(), {
      headers: { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' },
    })
  }
}

function isDirectLoopback(request: Request, server: MetricsListener | null): boolean {
  if (server === null || !isLoopbackHost(server.hostname ?? '')) return false
  if (request.headers.has('x-forwarded-for') || request.headers.has('forwarded')) return false
  const peer = server.requestIP(request)?.address
  return peer !== undefined && isTrustedProxyAddress(peer)
}

function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return bare.toLowerCase() === 'localhost' || isTrustedProxyAddress(bare)
}
