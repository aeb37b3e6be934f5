/**
 * The one error funnel: anything thrown while serving a request becomes `{"error","message"}`
 * with the right status here and nowhere else. XrpcErrors keep their status, name and message,
 * except that 500s never leak their message; anything else is a bug and becomes a bare 500
 * `InternalServerError`, logged with the request id so the log line can be found from the
 * client's `X-Request-Id`.
 */
import type { Logger } from '../lib/logger.ts'
import { InternalServerError, XrpcError } from '../services/errors.ts'

export interface ErrorContext {
  logger: Pick<Logger, 'debug' | 'error'>
  requestId: string
  method: string
  path: string
}

export interface ErrorBody {
  error: string
  message: string
}

const INTERNAL_MESSAGE = 'Internal Server Error'

export function errorResponse(err: unknown, ctx: ErrorContext): Response {
  const xrpc = toXrpcError(err)
  logError(err, xrpc, ctx)
  const body: ErrorBody = {
    error: xrpc.error,
    message: xrpc.status === 500 ? INTERNAL_MESSAGE : xrpc.message,
  }
  const response = Response.json(body, { status: xrpc.status })
  for (const [name, value] of Object.entries(xrpc.headers ?? {})) response.headers.set(name, value)
  return response
}

export function toXrpcError(err: unknown): XrpcError {
  if (err instanceof XrpcError) return err
  return new InternalServerError(INTERNAL_MESSAGE, undefined, { cause: err })
}

/** Client errors are routine (the request log line has the status); server errors carry detail. */
function logError(original: unknown, xrpc: XrpcError, ctx: ErrorContext): void {
  const fields = {
    requestId: ctx.requestId,
    method: ctx.method,
    path: ctx.path,
    status: xrpc.status,
    error: xrpc.error,
  }
  if (xrpc.status < 500) {
    ctx.logger.debug('request failed', { ...fields, message: xrpc.message })
    return
  }
  const err = original instanceof Error ? original : { thrown: String(original) }
  const cause = original === xrpc && xrpc.cause !== undefined ? { cause: xrpc.cause } : {}
  ctx.logger.error('request failed', { ...fields, message: xrpc.message, err, ...cause })
}
