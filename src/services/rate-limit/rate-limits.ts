/**
 * The XRPC rate limits (policies.ts) over in-memory fixed windows (fixed-window.ts), answering as
 * the reference does: each limit consulted reports its status, the tightest one (fewest points
 * left) goes out as `RateLimit-Limit / -Remaining / -Reset / -Policy` headers, and a call past a
 * limit is refused with 429 RateLimitExceeded, the same headers and `Retry-After`. Every rule of
 * a call is charged even when another one refuses it, as the reference's combined limiter does.
 * A request carrying the operator's bypass key (`x-ratelimit-bypass`) is not limited at all.
 */
import { secretMatcher } from '../../lib/secret-match.ts'
import { RateLimitExceededError } from '../errors.ts'
import { DEFAULT_MAX_KEYS, FixedWindows } from './fixed-window.ts'
import { type LimitedCall, type RateLimitPolicy, type RateLimitRule, REFERENCE_POLICY } from './policies.ts'

/** Where a key stands against one rule after a call. */
export interface RateLimitStatus {
  readonly limit: number
  /** Points left in the window (0 when exceeded). */
  readonly remaining: number
  /** When the window closes (ms since the epoch). */
  readonly resetAt: number
  readonly windowMs: number
}

export interface RateLimitsOptions {
  /** Defaults to the reference PDS's limits. */
  policy?: RateLimitPolicy
  /** rate_limit_bypass_key: requests presenting it are not limited. */
  bypassKey?: string
  now?: () => number
  /** Windows kept per bucket before the oldest are dropped. */
  maxKeysPerBucket?: number
}

export const BYPASS_HEADER = 'x-ratelimit-bypass'

/** A rule with its windows; rules sharing a name share one FixedWindows. */
interface Bucket {
  readonly rule: RateLimitRule
  readonly windows: FixedWindows
}

export class RateLimits {
  private readonly global: Bucket
  private readonly globalExempt: ReadonlySet<string>
  private readonly methods = new Map<string, readonly Bucket[]>()
  private readonly isBypassKey: ((given: string) => boolean) | undefined
  private readonly now: () => number

  constructor(opts: RateLimitsOptions = {}) {
    const policy = opts.policy ?? REFERENCE_POLICY
    this.now = opts.now ?? Date.now
    this.isBypassKey = opts.bypassKey === undefined ? undefined : secretMatcher(opts.bypassKey)
    const shared = new Map<string, Bucket>()
    const bucketOf = (rule: RateLimitRule): Bucket => {
      const first = shared.get(rule.name)
      if (first !== undefined) return { rule, windows: sameLimits(first, rule).windows }
      const windows = new FixedWindows(rule.durationMs, this.now, opts.maxKeysPerBucket ?? DEFAULT_MAX_KEYS)
      const bucket = { rule, windows }
      shared.set(rule.name, bucket)
      return bucket
    }
    this.global = bucketOf(policy.global)
    this.globalExempt = policy.globalExempt
    for (const [nsid, rules] of policy.methods) this.methods.set(nsid, rules.map(bucketOf))
  }

  /** True when the x-ratelimit-bypass header carries the configured bypass key. */
  bypasses(header: string | null): boolean {
    return header !== null && this.isBypassKey?.(header) === true
  }

  /** Charges the global per-IP limit for a call to `nsid`; throws RateLimitExceededError past it. */
  consumeGlobal(nsid: string, ip: string): RateLimitStatus | undefined {
    if (this.globalExempt.has(nsid)) return undefined
    return this.charge([this.global], { ip, did: undefined, body: undefined })
  }

  /** Charges the method's own limits; throws RateLimitExceededError when one is exceeded. */
  consumeMethod(nsid: string, call: LimitedCall): RateLimitStatus | undefined {
    const buckets = this.methods.get(nsid)
    return buckets === undefined ? undefined : this.charge(buckets, call)
  }

  private charge(buckets: readonly Bucket[], call: LimitedCall): RateLimitStatus | undefined {
    let tightest: RateLimitStatus | undefined
    let refused: RateLimitStatus | undefined
    for (const { rule, windows } of buckets) {
      const key = rule.key(call)
      const cost = rule.cost?.(call) ?? 1
      if (key === undefined || cost < 1) continue
      const window = windows.consume(key, cost)
      const status: RateLimitStatus = {
        limit: rule.points,
        remaining: Math.max(0, rule.points - window.consumed),
        resetAt: window.resetAt,
        windowMs: rule.durationMs,
      }
      if (window.consumed > rule.points) refused ??= status
      tightest = tighter(tightest, status)
    }
    if (refused !== undefined) throw rateLimitExceeded(refused, this.now())
    return tightest
  }
}

/** The status with fewer points left (the later reset on a tie), either may be missing. */
export function tighter(
  a: RateLimitStatus | undefined,
  b: RateLimitStatus | undefined,
): RateLimitStatus | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b
  return a.resetAt >= b.resetAt ? a : b
}

/** The reference's headers: Reset in epoch seconds, Policy as `<limit>;w=<window seconds>`. */
export function rateLimitHeaders(status: RateLimitStatus): Record<string, string> {
  return {
    'RateLimit-Limit': String(status.limit),
    'RateLimit-Remaining': String(status.remaining),
    'RateLimit-Reset': String(Math.floor(status.resetAt / 1000)),
    'RateLimit-Policy': `${status.limit};w=${Math.floor(status.windowMs / 1000)}`,
  }
}

function rateLimitExceeded(status: RateLimitStatus, now: number): RateLimitExceededError {
  const retryAfter = Math.max(1, Math.ceil((status.resetAt - now) / 1000))
  return new RateLimitExceededError(undefined, undefined, {
    headers: { ...rateLimitHeaders(status), 'Retry-After': String(retryAfter) },
  })
}

function sameLimits(bucket: Bucket, rule: RateLimitRule): Bucket {
  if (bucket.rule.durationMs !== rule.durationMs || bucket.rule.points !== rule.points) {
    throw new Error(`rate limit ${rule.name}: rules sharing a bucket must have the same limits`)
  }
  return bucket
}
