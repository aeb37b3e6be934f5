/**
 * Record keys (spec: record-key.md "Record Key Syntax"): 1-512 characters of A-Z a-z 0-9 . - _ : ~,
 * excluding "." and "..". A record lexicon also names a key type (`tid`, `nsid`, `any` or
 * `literal:<value>`), which `matchesRecordKeyType` checks.
 */
import { InvalidSyntaxError } from './errors.ts'
import { isValidNsid } from './nsid.ts'
import { isValidTid } from './tid.ts'

export type RecordKey = string & { readonly __brand: 'RecordKey' }

export const MAX_RECORD_KEY_LENGTH = 512

const RECORD_KEY_RE = /^[a-zA-Z0-9._:~-]{1,512}$/

export function isValidRecordKey(s: string): s is RecordKey {
  return RECORD_KEY_RE.test(s) && s !== '.' && s !== '..'
}

export function parseRecordKey(s: string): RecordKey {
  if (isValidRecordKey(s)) return s
  const problem =
    s.length === 0
      ? 'must not be empty'
      : s.length > MAX_RECORD_KEY_LENGTH
        ? `longer than ${MAX_RECORD_KEY_LENGTH} characters`
        : s === '.' || s === '..'
          ? 'must not be "." or ".."'
          : 'may only contain A-Z a-z 0-9 . - _ : ~'
  throw new InvalidSyntaxError('record-key', s, problem)
}

/** Whether a (syntactically valid) record key fits a record lexicon's `key` type. */
export function matchesRecordKeyType(rkey: string, keyType: string): boolean {
  if (!isValidRecordKey(rkey)) return false
  if (keyType === 'any') return true
  if (keyType === 'tid') return isValidTid(rkey)
  if (keyType === 'nsid') return isValidNsid(rkey)
  if (keyType.startsWith('literal:')) return rkey === keyType.slice('literal:'.length)
  return false
}
