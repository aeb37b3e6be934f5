/**
 * CIDs written as strings (spec: data-model.md "Link and CID Formats"; lexicon `cid` format).
 * `isValidCidString` is the syntax check of the interop fixtures: 8-256 characters of the
 * multibase alphabets (A-Z a-z 0-9 + =) and not a legacy CIDv0 ("Qm" + 44 base58 characters).
 * `parseCidString` also decodes it, so only a real CID passes; decoding is bounded by the length
 * check, which matters because the base58/base36 decoders are quadratic in input length.
 */
import { CID } from 'multiformats/cid'
import { InvalidSyntaxError } from './errors.ts'

const CID_STRING_RE = /^[a-zA-Z0-9+=]{8,256}$/

export function isValidCidString(s: string): boolean {
  return CID_STRING_RE.test(s) && !isCidV0(s)
}

/** Validates the syntax, then decodes; throws InvalidSyntaxError either way. */
export function parseCidString(s: string): CID {
  if (!isValidCidString(s)) {
    const problem = isCidV0(s) ? 'CIDv0 is not supported' : 'must be 8-256 characters of A-Z a-z 0-9 + ='
    throw new InvalidSyntaxError('cid', s, problem)
  }
  try {
    return CID.parse(s)
  } catch {
    throw new InvalidSyntaxError('cid', s, 'does not decode as a CID')
  }
}

function isCidV0(s: string): boolean {
  return s.length === 46 && s.startsWith('Qm')
}
