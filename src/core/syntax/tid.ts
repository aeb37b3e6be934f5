/**
 * Timestamp identifiers (spec: tid.md): a 64-bit integer (top bit zero; 53 bits of microseconds
 * since the UNIX epoch, then a 10-bit clock id) written as 13 characters of base32-sortable.
 * The first character carries the top four bits, hence its smaller alphabet. Generating TIDs is
 * core/tid-clock.ts's job.
 */
import { InvalidSyntaxError } from './errors.ts'

export type Tid = string & { readonly __brand: 'Tid' }

const TID_RE = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/

export function isValidTid(s: string): s is Tid {
  return TID_RE.test(s)
}

export function parseTid(s: string): Tid {
  if (isValidTid(s)) return s
  const problem =
    s.length !== 13
      ? 'must be exactly 13 characters'
      : /[^234567a-z]/.test(s)
        ? 'may only contain the base32-sortable characters 234567a-z'
        : 'the first character must be one of 234567abcdefghij (the top bit must be zero)'
  throw new InvalidSyntaxError('tid', s, problem)
}
