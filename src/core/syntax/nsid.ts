/**
 * Namespaced identifiers (spec: nsid.md "NSID Syntax"): a reversed domain authority (at least two
 * labels, at most 253 characters, first label not starting with a digit) followed by a name of
 * 1-63 ASCII letters and digits that does not start with a digit; 317 characters overall.
 * NSIDs are case-sensitive and are never normalized here. The spec's separate 253-character limit
 * on the authority is not enforced: the interop fixtures accept a longer one within 317 overall.
 */
import { InvalidSyntaxError } from './errors.ts'

export type Nsid = string & { readonly __brand: 'Nsid' }

export const MAX_NSID_LENGTH = 317

const NSID_RE =
  /^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+\.[a-zA-Z][a-zA-Z0-9]{0,62}$/

export function isValidNsid(s: string): s is Nsid {
  return s.length <= MAX_NSID_LENGTH && NSID_RE.test(s)
}

export function parseNsid(s: string): Nsid {
  if (isValidNsid(s)) return s
  throw new InvalidSyntaxError('nsid', s, nsidProblem(s))
}

/** The final segment: `getRecord` in `com.atproto.sync.getRecord`. */
export function nsidName(nsid: Nsid): string {
  return nsid.slice(nsid.lastIndexOf('.') + 1)
}

function nsidProblem(s: string): string {
  if (s.length > MAX_NSID_LENGTH) return `longer than ${MAX_NSID_LENGTH} characters`
  if (/[^a-zA-Z0-9.-]/.test(s)) return 'may only contain ASCII letters, digits, hyphens and periods'
  const segments = s.split('.')
  if (segments.length < 3) return 'must have at least three period-separated segments'
  if (segments.some((seg) => seg.length === 0)) return 'must not contain an empty segment'
  const name = segments.pop() ?? ''
  if (!/^[a-zA-Z][a-zA-Z0-9]{0,62}$/.test(name)) {
    return 'the name must be 1-63 letters and digits, starting with a letter'
  }
  if (/^[0-9]/.test(s)) return 'the first segment must not start with a digit'
  return 'domain authority segments must be 1-63 characters and not start or end with a hyphen'
}
