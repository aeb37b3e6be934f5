/**
 * The atproto data model in memory, and its JSON form. Spec: data-model "Data Types", "JSON
 * Representation", "`blob` Type".
 * In memory ("lex" values) links are CID instances, bytes are Uint8Array and blobs are plain
 * `{ $type: 'blob', ref: CID, ... }` objects, so a value encodes to DRISL as is (cbor.ts).
 * `jsonToLex` is strict, following the data-model-invalid fixtures: `$link` and `$bytes` objects
 * must have exactly that one string field, `$type` must be a non-empty string, `$type: 'blob'`
 * objects must be well-formed, numbers must be safe integers and strings valid Unicode.
 * Tricky bits: `$bytes` is standard base64 (not URL-safe); padding is optional when reading and
 * omitted when writing, as the spec's examples do.
 */
import { isBlobRef } from './blob-ref.ts'
import { MAX_CBOR_DEPTH } from './cbor.ts'
import { CID, InvalidCidError, parseCid } from './cid.ts'

export class DataModelError extends Error {
  override name = 'DataModelError'
}

export type LexValue = null | boolean | number | string | Uint8Array | CID | LexValue[] | LexMap
export type LexMap = { [key: string]: LexValue }

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Converts parsed JSON into a data-model value; throws DataModelError on anything invalid. */
export function jsonToLex(json: unknown): LexValue {
  return fromJson(json, 0)
}

/** Like jsonToLex, but the top level must be an object (records, XRPC bodies). */
export function jsonToLexMap(json: unknown): LexMap {
  if (!isPlainObject(json)) throw new DataModelError('top-level value must be an object')
  return fromJson(json, 0) as LexMap
}

/** Converts a data-model value to its JSON form: CIDs to `{$link}`, bytes to `{$bytes}`. */
export function lexToJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(lexToJson)
  if (value instanceof Uint8Array) return { $bytes: value.toBase64({ omitPadding: true }) }
  const cid = CID.asCID(value)
  if (cid) return { $link: cid.toString() }
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) setOwn(out, key, lexToJson(item))
  }
  return out
}

function fromJson(json: unknown, depth: number): LexValue {
  switch (typeof json) {
    case 'string':
      if (!json.isWellFormed()) throw new DataModelError('strings must be valid Unicode (lone surrogate)')
      return json
    case 'boolean':
      return json
    case 'number':
      if (!Number.isSafeInteger(json)) throw new DataModelError(`numbers must be safe integers, got ${json}`)
      return json
    case 'object':
      if (json === null) return null
      if (depth >= MAX_CBOR_DEPTH) throw new DataModelError(`nesting deeper than ${MAX_CBOR_DEPTH}`)
      if (Array.isArray(json)) return json.map((item) => fromJson(item, depth + 1))
      if (isPlainObject(json)) return objectFromJson(json, depth)
  }
  throw new DataModelError(`${describe(json)} is not part of the data model`)
}

function objectFromJson(json: Record<string, unknown>, depth: number): LexValue {
  if ('$link' in json) return linkFromJson(json)
  if ('$bytes' in json) return bytesFromJson(json)
  const out: LexMap = {}
  for (const [key, item] of Object.entries(json)) {
    if (!key.isWellFormed()) throw new DataModelError('keys must be valid Unicode (lone surrogate)')
    if (item !== undefined) setOwn(out, key, fromJson(item, depth + 1))
  }
  if ('$type' in out) {
    if (typeof out.$type !== 'string' || out.$type.length === 0) {
      throw new DataModelError('$type must be a non-empty string')
    }
    if (out.$type === 'blob' && !isBlobRef(out)) {
      throw new DataModelError(
        'invalid blob: needs exactly ref (a link), mimeType and a positive integer size',
      )
    }
  }
  return out
}

function linkFromJson(json: Record<string, unknown>): CID {
  const link = json.$link
  if (typeof link !== 'string' || Object.keys(json).length !== 1) {
    throw new DataModelError('a $link object must have exactly one string field')
  }
  try {
    return parseCid(link)
  } catch (err) {
    if (err instanceof InvalidCidError) throw new DataModelError(`invalid $link CID: ${link.slice(0, 100)}`)
    throw err
  }
}

function bytesFromJson(json: Record<string, unknown>): Uint8Array {
  const b64 = json.$bytes
  if (typeof b64 !== 'string' || Object.keys(json).length !== 1) {
    throw new DataModelError('a $bytes object must have exactly one string field')
  }
  if (!BASE64.test(b64)) throw new DataModelError('$bytes must be standard base64')
  try {
    return Uint8Array.fromBase64(b64)
  } catch {
    throw new DataModelError('$bytes must be standard base64')
  }
}

/** Assigns an own property, even for the key "__proto__" (plain assignment would set the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true })
  else obj[key] = value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object'
  return typeof value
}
