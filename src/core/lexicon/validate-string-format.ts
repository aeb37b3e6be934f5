/**
 * Lexicon string formats (spec: lexicon.md "String Formats"), each backed by the core/syntax
 * validator for that identifier. As the spec asks, the most permissive identifier syntax is used:
 * any DID method, reserved TLDs in handles. `cid` must both match the CID syntax and decode.
 */
import { CID } from 'multiformats/cid'
import {
  isValidAtIdentifier,
  isValidAtUri,
  isValidCidString,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  isValidUri,
} from '../syntax/index.ts'
import type { LexStringFormat } from './types.ts'
import { fail } from './validator.ts'

type FormatCheck = readonly [test: (s: string) => boolean, problem: string]

const FORMATS: Record<LexStringFormat, FormatCheck> = {
  'at-identifier': [isValidAtIdentifier, 'must be a valid did or a handle'],
  'at-uri': [isValidAtUri, 'must be a valid at-uri'],
  cid: [isDecodableCid, 'must be a cid string'],
  datetime: [isValidDatetime, 'must be a valid atproto datetime (both RFC 3339 and ISO 8601)'],
  did: [isValidDid, 'must be a valid did'],
  handle: [isValidHandle, 'must be a valid handle'],
  language: [isValidLanguage, 'must be a well-formed BCP 47 language tag'],
  nsid: [isValidNsid, 'must be a valid nsid'],
  'record-key': [isValidRecordKey, 'must be a valid record key'],
  tid: [isValidTid, 'must be a valid TID'],
  uri: [isValidUri, 'must be a uri'],
}

/** Throws a LexiconValidationError when `value` does not have the format. */
export function checkStringFormat(format: LexStringFormat, value: string, path: string): void {
  const [test, problem] = FORMATS[format]
  if (!test(value)) throw fail(path, problem)
}

function isDecodableCid(s: string): boolean {
  if (!isValidCidString(s)) return false
  try {
    CID.parse(s)
    return true
  } catch {
    return false
  }
}
