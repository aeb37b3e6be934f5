/** XRPC rate limits as the reference PDS applies them, kept in memory (docs/RATE-LIMITS.md). */
export { DEFAULT_MAX_KEYS, FixedWindows, type WindowState } from './fixed-window.ts'
export {
  applyWritesPoints,
  byAccount,
  byIp,
  type LimitedCall,
  type RateLimitPolicy,
  type RateLimitRule,
  REFERENCE_POLICY,
} from './policies.ts'
export {
  BYPASS_HEADER,
  type RateLimitStatus,
  RateLimits,
  type RateLimitsOptions,
  rateLimitHeaders,
  tighter,
} from './rate-limits.ts'
