/**
 * Handle syntax (spec: handle.md "Handle Identifier Syntax"): a DNS hostname of at least two
 * labels, at most 253 ASCII characters, labels of 1-63 letters/digits/hyphens not starting or
 * ending with a hyphen, and a TLD that does not start with a digit. Handles compare
 * case-insensitively; `normalizeHandle` lower-cases ASCII only, so a look-alike such as the Kelvin
 * sign (U+212A) can never be folded into a valid handle. Reserved TLDs pass syntax validation but
 * are never servable ("Additional Non-Syntax Restrictions").
 */
import { InvalidSyntaxError } from './errors.ts'

export type Handle = string & { readonly __brand: 'Handle' }

export const MAX_HANDLE_LENGTH = 253

/** Shown in API responses for an account whose handle does not verify bidirectionally. */
export const INVALID_HANDLE = 'handle.invalid' as Handle

export const DISALLOWED_TLDS: readonly string[] = [
  '.local',
  '.arpa',
  '.invalid',
  '.localhost',
  '.internal',
  '.example',
  '.alt',
  '.onion',
]

const HANDLE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

export function isValidHandle(s: string): s is Handle {
  return s.length <= MAX_HANDLE_LENGTH && HANDLE_RE.test(s)
}

/** Validates and returns the handle in its normalized (lower-case) form. */
export function parseHandle(s: string): Handle {
  if (isValidHandle(s)) return normalizeHandle(s) as Handle
  throw new InvalidSyntaxError('handle', s, handleProblem(s))
}

/** Lower-cases ASCII letters; does not validate. */
export function normalizeHandle(s: string): string {
  return s.replace(/[A-Z]+/g, (upper) => upper.toLowerCase())
}

/** A syntactically valid handle under a TLD that may be registered and resolved. */
export function isServableHandle(s: string): s is Handle {
  if (!isValidHandle(s)) return false
  const lower = normalizeHandle(s)
  return !DISALLOWED_TLDS.some((tld) => lower.endsWith(tld))
}

function handleProblem(s: string): string {
  if (s.length > MAX_HANDLE_LENGTH) return `longer than ${MAX_HANDLE_LENGTH} characters`
  if (/[^a-zA-Z0-9.-]/.test(s)) return 'may only contain ASCII letters, digits, hyphens and periods'
  const labels = s.split('.')
  if (labels.length < 2) return 'must have at least two period-separated labels'
  for (const label of labels) {
    if (label.length === 0) return 'must not contain an empty label (leading, trailing or double period)'
    if (label.length > 63) return 'a label must not be longer than 63 characters'
    if (label.startsWith('-') || label.endsWith('-')) return 'a label must not start or end with a hyphen'
  }
  return 'the top-level domain must not start with a digit'
}
