/**
 * Brute-force protection for password checks: after MAX_FAILURES wrong passwords for one account
 * from one IP address within WINDOW_MS, further attempts answer 429 RateLimitExceeded (with
 * Retry-After) until the window ends. A successful login clears the count. Only failures count,
 * which is why this sits beside the request limits of services/rate-limit (createSession's 30
 * attempts per 5 minutes count every attempt) rather than among them; the windows are the same
 * bounded, in-memory fixed windows.
 */
import { RateLimitExceededError } from '../errors.ts'
import { FixedWindows } from '../rate-limit/index.ts'

export const MAX_FAILURES = 10
export const WINDOW_MS = 15 * 60 * 1000
const MAX_ENTRIES = 100_000

export class LoginLimiter {
  private readonly failures: FixedWindows

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxFailures = MAX_FAILURES,
    windowMs = WINDOW_MS,
  ) {
    this.failures = new FixedWindows(windowMs, now, MAX_ENTRIES)
  }

  /** Throws RateLimitExceeded while `key` is locked out. */
  check(key: string): void {
    const window = this.failures.peek(key)
    if (window === undefined || window.consumed < this.maxFailures) return
    const retryAfter = Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000))
    throw new RateLimitExceededError('Too many failed login attempts, try again later', 'RateLimitExceeded', {
      headers: { 'Retry-After': String(retryAfter) },
    })
  }

  recordFailure(key: string): void {
    this.failures.consume(key, 1)
  }

  reset(key: string): void {
    this.failures.reset(key)
  }
}

/** The limiter key of a login attempt: the account (or the identifier when unknown) and the IP. */
export function loginKey(accountOrIdentifier: string, ip: string): string {
  return `${accountOrIdentifier}\n${ip}`
}
