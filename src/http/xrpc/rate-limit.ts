/**
 * The rate limits (services/rate-limit, docs/RATE-LIMITS.md) where the XRPC router applies them:
 * the global per-IP limit as soon as a call's NSID is known, the method's own limits after auth
 * and input (their keys and points need the account and the body, as in the reference), and the
 * tightest status as RateLimit-* headers on the answer. A 429 carries its headers itself.
 */
import {
  BYPASS_HEADER,
  type RateLimitStatus,
  type RateLimits,
  rateLimitHeaders,
  tighter,
} from '../../services/rate-limit/index.ts'
import type { ClientInfo } from '../client-info.ts'
import { authDid, type XrpcInput } from './types.ts'

/** The limits of one call. */
export interface CallLimits {
  /** After auth and input: charges the method's own limits; throws RateLimitExceeded past one. */
  consume(nsid: string, auth: unknown, input: XrpcInput | undefined): void
  /** Puts the tightest limit's RateLimit-* headers on the answer. */
  finish(response: Response): Response
}

/** Charges the global limit (throws past it); undefined when limits are off or bypassed. */
export function startCallLimits(
  limits: RateLimits | undefined,
  request: Request,
  client: ClientInfo,
  nsid: string,
): CallLimits | undefined {
  if (limits === undefined || limits.bypasses(request.headers.get(BYPASS_HEADER))) return undefined
  let status: RateLimitStatus | undefined = limits.consumeGlobal(nsid, client.ip)
  return {
    consume(method, auth, input) {
      const body = input?.kind === 'json' ? input.body : undefined
      status = tighter(status, limits.consumeMethod(method, { ip: client.ip, did: authDid(auth), body }))
    },
    finish(response) {
      if (status === undefined) return response
      for (const [name, value] of Object.entries(rateLimitHeaders(status))) response.headers.set(name, value)
      return response
    },
  }
}
