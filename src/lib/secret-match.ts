/**
 * Constant-time comparison of a presented secret (a bearer token, a bypass key) with the configured
 * one. Both sides are hashed with SHA-256 first, so the comparison always runs over 32 bytes and
 * neither the content nor the length of the configured secret leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

/** A predicate that is true for exactly `secret`; digests the configured secret once. */
export function secretMatcher(secret: string): (given: string) => boolean {
  const expected = digest(secret)
  return (given) => timingSafeEqual(digest(given), expected)
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}
