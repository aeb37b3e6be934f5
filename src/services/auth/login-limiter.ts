/**
 * Brute-force protection for password checks: after MAX_FAILURES wrong passwords for one account
 * from one IP address within WINDOW_MS, further attempts answer 429 RateLimitExceeded (with
 * Retry-After) until the window ends. A successful login clears the count. In memory only: a
 * restart forgets it, which is acceptable for a single-process server; the map is bounded and
 * drops its oldest entries first.
 */
import { RateLimitExceededError } from '../errors.ts'

export const MAX_FAILURES = 10
export const WINDOW_MS = 15 * 60 * 1000
const MAX_ENTRIES = 100_000

interface Entry {
  failures: number
  windowEnd: number
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxFailures = MAX_FAILURES,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** Throws RateLimitExceeded while `key` is locked out. */
  check(key: string): void {
    const entry = this.live(key)
    if (entry === undefined || entry.failures < this.maxFailures) return
    const retryAfter = Math.max(1, Math.ceil((entry.windowEnd - this.now()) / 1000))
    throw new RateLimitExceededError('Too many failed login attempts, try again later', 'RateLimitExceeded', {
      headers: { 'Retry-After': String(retryAfter) },
    })
  }

  recordFailure(key: string): void {
    const entry = this.live(key)
    if (entry !== undefined) {
      entry.failures++
      return
    }
    if (this.entries.size >= MAX_ENTRIES) this.evictOldest()
    this.entries.set(key, { failures: 1, windowEnd: this.now() + this.windowMs })
  }

  reset(key: string): void {
    this.entries.delete(key)
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.windowEnd > this.now()) return entry
    this.entries.delete(key)
    return undefined
  }

  /** Map iteration follows insertion order, so the first keys are the oldest windows. */
  private evictOldest(): void {
    let drop = Math.ceil(MAX_ENTRIES / 10)
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break
      this.entries.delete(key)
    }
  }
}

/** The limiter key of a login attempt: the account (or the identifier when unknown) and the IP. */
export function loginKey(accountOrIdentifier: string, ip: string): string {
  return `${accountOrIdentifier}\n${ip}`
}
