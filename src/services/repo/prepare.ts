/**
 * Parsing and validating record writes before they reach the write path, following the reference
 * PDS (`prepareCreate` / `prepareUpdate`): a missing `$type` is set to the collection; unless
 * `validate` is false the `$type` must equal the collection and the record is checked against its
 * lexicon (`validate` unset: an unknown type is stored with status `unknown`; `validate` true:
 * an unknown type is refused); the record key must be valid, and fit the lexicon's key type when
 * validating. Legacy `{cid, mimeType}` blob refs are refused either way.
 */
import { findBlobRefs, isLegacyBlobRef } from '../../core/blob-ref.ts'
import { encodeBlock } from '../../core/cbor.ts'
import { CID } from '../../core/cid.ts'
import type { LexMap } from '../../core/data-model.ts'
import { type Lexicons, LexiconValidationError } from '../../core/lexicon/index.ts'
import { isValidRecordKey, matchesRecordKeyType } from '../../core/syntax/index.ts'
import type { TidClock } from '../../core/tid-clock.ts'
import { InvalidRequestError } from '../errors.ts'
import { backlinksOf } from './backlinks.ts'
import type { DeleteWrite, RecordWrite, ValidationStatus } from './types.ts'

export interface RecordWriteInput {
  readonly collection: string
  /** Required for updates and puts; a new TID when a create has none. */
  readonly rkey?: string
  readonly record: unknown
  readonly validate?: boolean
  readonly swapRecord?: CID | null
}

export function prepareRecordWrite(
  lexicons: Lexicons,
  tid: TidClock,
  action: RecordWrite['action'],
  input: RecordWriteInput,
): RecordWrite {
  const { collection, validate } = input
  const record = withType(collection, input.record)
  const maybeValidate = validate !== false
  if (maybeValidate && record.$type !== collection) {
    throw new InvalidRequestError(`Invalid $type: expected ${collection}, got ${String(record.$type)}`)
  }
  const validationStatus = maybeValidate
    ? validateRecord(lexicons, collection, record, validate === true)
    : undefined
  const legacy = legacyBlobRefPath(record, [])
  if (legacy) throw new InvalidRequestError(`Legacy blob ref at '${legacy.join('/')}'`)
  const rkey = input.rkey || (action === 'create' ? tid.next() : '')
  if (!isValidRecordKey(rkey)) throw new InvalidRequestError(`Invalid record key: ${JSON.stringify(rkey)}`)
  const keyType = lexicons.recordKeyType(collection)
  if (maybeValidate && keyType !== undefined && !matchesRecordKeyType(rkey, keyType)) {
    throw new InvalidRequestError(`Invalid record key for ${collection}: must match key type ${keyType}`)
  }
  return {
    action,
    collection,
    rkey,
    record,
    validationStatus,
    blobs: findBlobRefs(record),
    backlinks: backlinksOf(record),
    swapRecord: input.swapRecord,
    cid: action === 'put' ? encodeBlock(record).cid : undefined,
  }
}

export function prepareDelete(input: {
  collection: string
  rkey: string
  swapRecord?: CID | null
}): DeleteWrite {
  if (!isValidRecordKey(input.rkey)) {
    throw new InvalidRequestError(`Invalid record key: ${JSON.stringify(input.rkey)}`)
  }
  return { action: 'delete', collection: input.collection, rkey: input.rkey, swapRecord: input.swapRecord }
}

function withType(collection: string, value: unknown): LexMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('Record must be an object')
  }
  const record = value as LexMap
  return record.$type ? record : { ...record, $type: collection }
}

function validateRecord(
  lexicons: Lexicons,
  collection: string,
  record: LexMap,
  requireLexicon: boolean,
): ValidationStatus {
  try {
    const { status } = lexicons.validateRecord(collection, record)
    if (status === 'unknown' && requireLexicon) {
      throw new InvalidRequestError(`Lexicon not found: lex:${collection}`)
    }
    return status
  } catch (err) {
    if (err instanceof LexiconValidationError) {
      throw new InvalidRequestError(`Invalid ${collection} record: ${err.message}`, 'InvalidRequest', {
        cause: err,
      })
    }
    throw err
  }
}

/** The path of the first legacy blob ref in a value, or null. */
function legacyBlobRefPath(value: unknown, path: string[]): string[] | null {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || CID.asCID(value)) {
    return null
  }
  if (isLegacyBlobRef(value)) return path
  if ((value as LexMap).$type === 'blob') return null
  const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value)
  for (const [key, item] of entries) {
    const found = legacyBlobRefPath(item, key === '' ? path : [...path, key])
    if (found) return found
  }
  return null
}
