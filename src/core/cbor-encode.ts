/**
 * Strict DRISL (DAG-CBOR) encoder for the atproto data model.
 * Spec: data-model "Data Types"; https://dasl.ing/drisl.html.
 * Accepts null, booleans, safe integers, strings, Uint8Array, CIDs (tag 42), arrays and plain
 * objects; rejects floats, NaN/Infinity, bigint, undefined and class instances. Map keys are
 * sorted length-first then bytewise on their UTF-8 form, and integers use the shortest head.
 * Tricky bits: one growable scratch buffer is reused across calls (the result is a copy), and
 * encoded map keys are cached because records reuse a small set of field names.
 */
import { CID } from 'multiformats/cid'

/** Raised for any value or byte sequence outside the DRISL data model; shared with the decoder. */
export class CborError extends Error {
  override name = 'CborError'
}

/** Deepest nesting of arrays/maps accepted on encode and decode. */
export const MAX_CBOR_DEPTH = 128

const TWO_32 = 2 ** 32
const KEY_CACHE_LIMIT = 4096
const KEY_CACHE_MAX_LENGTH = 64
const SORT_INSERTION_LIMIT = 16
const ASCII_FAST_LIMIT = 256
const textEncoder = new TextEncoder()
const CID_PREFIX = new Uint8Array([0])

/** Encoded key bytes (head + UTF-8), reused across calls. */
const keyCache = new Map<string, Uint8Array>()

class CborWriter {
  buf = new Uint8Array(16_384)
  pos = 0
  busy = false

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  head(major: number, n: number): void {
    this.ensure(9)
    this.pos = putHead(this.buf, this.pos, major, n)
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  string(s: string): void {
    const len = s.length
    if (len < ASCII_FAST_LIMIT && this.asciiString(s)) return
    // UTF-8 needs at most 3 bytes per UTF-16 unit: reserve the head for that bound, then move
    // the bytes back if the actual length needs a shorter head.
    if (!s.isWellFormed()) throw new CborError('string contains a lone surrogate (not valid Unicode)')
    const max = len * 3
    const reserved = headSize(max)
    this.ensure(9 + max) // head() below must not need to grow the buffer
    const start = this.pos + reserved
    const written = textEncoder.encodeInto(s, this.buf.subarray(start, start + max)).written
    const needed = headSize(written)
    if (needed !== reserved) this.buf.copyWithin(this.pos + needed, start, start + written)
    this.head(3, written)
    this.pos += written
  }

  /** Writes an all-ASCII string byte by byte; returns false (writing nothing) otherwise. */
  private asciiString(s: string): boolean {
    const len = s.length
    this.ensure(len + 9) // head() below must not need to grow the buffer
    const buf = this.buf
    const start = this.pos + headSize(len)
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i)
      if (c > 0x7f) return false
      buf[start + i] = c
    }
    this.head(3, len)
    this.pos += len
    return true
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }
}

/** Writes a CBOR head (major type + shortest argument) at `p`; returns the position after it. */
function putHead(buf: Uint8Array, pos: number, major: number, n: number): number {
  const m = major << 5
  let p = pos
  if (n < 24) {
    buf[p++] = m | n
  } else if (n < 0x100) {
    buf[p++] = m | 24
    buf[p++] = n
  } else if (n < 0x10000) {
    buf[p++] = m | 25
    buf[p++] = n >>> 8
    buf[p++] = n & 0xff
  } else if (n < TWO_32) {
    buf[p++] = m | 26
    p = putUint32(buf, p, n)
  } else {
    buf[p++] = m | 27
    p = putUint32(buf, p, Math.floor(n / TWO_32))
    p = putUint32(buf, p, n >>> 0)
  }
  return p
}

function putUint32(buf: Uint8Array, p: number, n: number): number {
  buf[p] = n >>> 24
  buf[p + 1] = (n >>> 16) & 0xff
  buf[p + 2] = (n >>> 8) & 0xff
  buf[p + 3] = n & 0xff
  return p + 4
}

function headSize(n: number): number {
  if (n < 24) return 1
  if (n < 0x100) return 2
  if (n < 0x10000) return 3
  if (n < TWO_32) return 5
  return 9
}

const shared = new CborWriter()

/** Encodes one data-model value as DRISL bytes; throws CborError on anything outside it. */
export function encodeCbor(value: unknown): Uint8Array {
  // A getter on the value could re-enter the encoder; give such a call its own buffer.
  const w = shared.busy ? new CborWriter() : shared
  w.busy = true
  w.pos = 0
  try {
    writeValue(w, value, 0)
    return w.finish()
  } catch (err) {
    if (err instanceof CborError) throw err
    throw new CborError(`cannot encode value as DRISL: ${(err as Error).message}`)
  } finally {
    w.busy = false
    if (w.buf.length > 1 << 20) w.buf = new Uint8Array(16_384) // do not pin a huge buffer
  }
}

function writeValue(w: CborWriter, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.string(value)
      break
    case 'number':
      if (!Number.isSafeInteger(value)) throw new CborError(`only safe integers are allowed, got ${value}`)
      if (value >= 0) w.head(0, value)
      else w.head(1, -1 - value)
      break
    case 'boolean':
      w.head(7, value ? 21 : 20)
      break
    case 'object':
      if (value === null) w.head(7, 22)
      else writeObject(w, value, depth)
      break
    case 'undefined':
      throw new CborError('undefined is not part of the data model')
    default:
      throw new CborError(`${typeof value} is not part of the data model`)
  }
}

function writeObject(w: CborWriter, value: object, depth: number): void {
  if (depth >= MAX_CBOR_DEPTH) throw new CborError(`nesting deeper than ${MAX_CBOR_DEPTH}`)
  if (Array.isArray(value)) {
    w.head(4, value.length)
    for (let i = 0; i < value.length; i++) writeValue(w, value[i], depth + 1)
  } else if (value instanceof Uint8Array) {
    w.head(2, value.length)
    w.raw(value)
  } else {
    const proto = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) {
      writeMap(w, value as Record<string, unknown>, depth)
      return
    }
    const cid = CID.asCID(value)
    if (!cid) throw new CborError(`cannot encode ${proto?.constructor?.name ?? 'object'} instance`)
    // Tag 42 holds the binary CID behind a 0x00 (multibase identity) prefix.
    w.head(6, 42)
    w.head(2, cid.bytes.length + 1)
    w.raw(CID_PREFIX)
    w.raw(cid.bytes)
  }
}

function writeMap(w: CborWriter, obj: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(obj)
  const encoded = keys.map(encodedKey)
  const order = sortedOrder(encoded)
  w.head(5, keys.length)
  for (const i of order) {
    const key = keys[i] as string
    const value = obj[key]
    if (value === undefined) throw new CborError(`undefined value for key "${key}"`)
    w.raw(encoded[i] as Uint8Array)
    writeValue(w, value, depth + 1)
  }
}

function encodedKey(key: string): Uint8Array {
  const cached = keyCache.get(key)
  if (cached) return cached
  if (!key.isWellFormed()) throw new CborError('map key contains a lone surrogate (not valid Unicode)')
  const utf8 = textEncoder.encode(key)
  const bytes = new Uint8Array(headSize(utf8.length) + utf8.length)
  bytes.set(utf8, putHead(bytes, 0, 3, utf8.length))
  if (key.length <= KEY_CACHE_MAX_LENGTH && keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, bytes)
  return bytes
}

/** Canonical key order: shorter encoding first, then bytewise. */
export function compareEncodedKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return 0
}

function sortedOrder(encoded: Uint8Array[]): number[] {
  const order = encoded.map((_, i) => i)
  const cmp = (x: number, y: number) => compareEncodedKeys(encoded[x] as Uint8Array, encoded[y] as Uint8Array)
  if (order.length > SORT_INSERTION_LIMIT) return order.sort(cmp)
  for (let i = 1; i < order.length; i++) {
    const cur = order[i] as number
    let j = i - 1
    while (j >= 0 && cmp(order[j] as number, cur) > 0) {
      order[j + 1] = order[j] as number
      j--
    }
    order[j + 1] = cur
  }
  return order
}
