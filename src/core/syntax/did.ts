/**
 * DID syntax as atproto uses it (spec: did.md "DID Identifier Syntax"): the generic W3C shape
 * restricted to an ASCII subset, at most 2048 characters. Any method passes syntax validation;
 * only did:plc and did:web are resolvable, which `isDidPlc` / `isDidWeb` tell apart.
 * Percent-encoding is allowed but not decoded or checked, as the spec permits.
 */
import { InvalidSyntaxError } from './errors.ts'

export type Did = string & { readonly __brand: 'Did' }

export const MAX_DID_LENGTH = 2048

const DID_RE = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/
const DID_PLC_RE = /^did:plc:[a-z2-7]{24}$/

export function isValidDid(s: string): s is Did {
  return s.length <= MAX_DID_LENGTH && DID_RE.test(s)
}

export function parseDid(s: string): Did {
  if (isValidDid(s)) return s
  throw new InvalidSyntaxError('did', s, didProblem(s))
}

/** did:plc identifiers are always 24 characters of base32 (lower case). */
export function isDidPlc(s: string): s is Did {
  return DID_PLC_RE.test(s)
}

export function isDidWeb(s: string): s is Did {
  return s.startsWith('did:web:') && isValidDid(s)
}

function didProblem(s: string): string {
  if (s.length > MAX_DID_LENGTH) return `longer than ${MAX_DID_LENGTH} characters`
  if (!s.startsWith('did:')) return 'must start with "did:"'
  const methodEnd = s.indexOf(':', 4)
  if (methodEnd === -1) return 'must have a method and an identifier separated by ":"'
  if (!/^[a-z]+$/.test(s.slice(4, methodEnd))) return 'the method must be one or more lower-case letters'
  if (/[^a-zA-Z0-9._:%-]/.test(s)) return 'contains a character outside A-Z a-z 0-9 . _ : % -'
  return 'the identifier must not be empty or end with ":" or "%"'
}
