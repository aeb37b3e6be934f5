/**
 * GET /_health and /xrpc/_health, for load balancers and uptime checks: 200 with the version when
 * the database answers, 503 when it does not. The database error is logged, never sent.
 */
import { VERSION } from '../lib/version.ts'
import type { AppContext } from '../services/context.ts'

export function healthResponse(ctx: AppContext): Response {
  try {
    ctx.healthCheck()
  } catch (err) {
    ctx.logger.error('health check failed', { err })
    return Response.json(
      { status: 'error', error: 'DatabaseUnavailable', message: 'The database is not answering' },
      { status: 503 },
    )
  }
  return Response.json({ status: 'ok', version: VERSION })
}
