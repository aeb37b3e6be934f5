/**
 * at-identifier (spec: lexicon.md "at-identifier"): a DID or a handle. The two never overlap,
 * because a DID starts with "did:" and a handle cannot contain a colon.
 */
import { type Did, isValidDid, parseDid } from './did.ts'
import { InvalidSyntaxError } from './errors.ts'
import { type Handle, isValidHandle, parseHandle } from './handle.ts'

export type AtIdentifier = Did | Handle

export function isValidAtIdentifier(s: string): s is AtIdentifier {
  return s.startsWith('did:') ? isValidDid(s) : isValidHandle(s)
}

/** Validates a DID or a handle; a handle comes back normalized (lower-case). */
export function parseAtIdentifier(s: string): AtIdentifier {
  try {
    return s.startsWith('did:') ? parseDid(s) : parseHandle(s)
  } catch (err) {
    if (!(err instanceof InvalidSyntaxError)) throw err
    throw new InvalidSyntaxError('at-identifier', s, `not a valid ${err.kind}: ${err.problem}`)
  }
}
