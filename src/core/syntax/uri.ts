/**
 * Lexicon `uri` strings (spec: lexicon.md "uri"): any URI scheme in the RFC 3986 shape
 * (`scheme:` then a non-empty remainder; the scheme starts with a letter and continues with
 * letters, digits, + . -), no whitespace anywhere, at most 8 KB of UTF-8. Non-ASCII characters
 * are tolerated (IRIs appear in real records); the remainder is otherwise not parsed.
 */
import { InvalidSyntaxError } from './errors.ts'

export const MAX_URI_BYTES = 8192

const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/)?[^\s/][^\s]*$/

export function isValidUri(s: string): boolean {
  return URI_RE.test(s) && withinLimit(s)
}

export function parseUri(s: string): string {
  if (isValidUri(s)) return s
  const problem = !withinLimit(s)
    ? `longer than ${MAX_URI_BYTES} bytes`
    : /\s/.test(s)
      ? 'must not contain whitespace'
      : 'must be a scheme (a letter, then letters, digits, + . -), a colon and a non-empty remainder'
  throw new InvalidSyntaxError('uri', s, problem)
}

/** Every UTF-16 unit encodes to at most 3 UTF-8 bytes, so short strings skip the encode. */
function withinLimit(s: string): boolean {
  if (s.length * 3 <= MAX_URI_BYTES) return true
  return s.length <= MAX_URI_BYTES && new TextEncoder().encode(s).length <= MAX_URI_BYTES
}
