/**
 * Strict DRISL (DAG-CBOR) decoder for the atproto data model.
 * Spec: data-model "Data Types"; https://dasl.ing/drisl.html.
 * Rejects everything a strict DRISL reader must: floats (of any width), undefined and other simple
 * values, indefinite lengths, non-minimal integer heads, integers outside the safe range, tags
 * other than 42, non-string or unsorted or duplicate map keys, invalid UTF-8 and trailing bytes.
 * Tricky bits: map key order is checked on the raw key bytes (length-first, then bytewise), which
 * also catches duplicates; byte strings are returned as views into the input (no copy).
 */
import { CID } from 'multiformats/cid'
import { CborError, MAX_CBOR_DEPTH } from './cbor-encode.ts'

const TWO_32 = 2 ** 32
const CID_TAG = 42
const SHORT_STRING = 24
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

class CborReader {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}

  fail(message: string): never {
    throw new CborError(`invalid DRISL: ${message} at byte ${this.pos}`)
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) this.fail('unexpected end of data')
  }

  /** Reads the argument of a head whose initial byte had additional info `info`. */
  arg(info: number): number {
    if (info < 24) return info
    const b = this.bytes
    let n: number
    if (info === 24) {
      this.need(1)
      n = b[this.pos++] as number
      if (n < 24) this.fail('non-minimal integer encoding')
    } else if (info === 25) {
      this.need(2)
      n = ((b[this.pos] as number) << 8) | (b[this.pos + 1] as number)
      this.pos += 2
      if (n < 0x100) this.fail('non-minimal integer encoding')
    } else if (info === 26) {
      this.need(4)
      n = this.uint32()
      if (n < 0x10000) this.fail('non-minimal integer encoding')
    } else if (info === 27) {
      this.need(8)
      const hi = this.uint32()
      n = hi * TWO_32 + this.uint32()
      if (hi === 0) this.fail('non-minimal integer encoding')
      if (n > Number.MAX_SAFE_INTEGER) this.fail('integer outside the safe range')
    } else if (info === 31) {
      this.fail('indefinite-length items are not allowed')
    } else {
      this.fail(`reserved additional info ${info}`)
    }
    return n
  }

  private uint32(): number {
    const b = this.bytes
    const p = this.pos
    this.pos += 4
    return (
      (b[p] as number) * 0x1000000 +
      (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number))
    )
  }

  value(depth: number): unknown {
    this.need(1)
    const ib = this.bytes[this.pos++] as number
    const major = ib >> 5
    const info = ib & 31
    switch (major) {
      case 0:
        return this.arg(info)
      case 1: {
        const n = this.arg(info)
        if (n >= Number.MAX_SAFE_INTEGER) this.fail('integer outside the safe range')
        return -1 - n
      }
      case 2:
        return this.byteString(this.arg(info))
      case 3:
        return this.textString(this.arg(info))
      case 4:
        return this.array(this.arg(info), depth)
      case 5:
        return this.map(this.arg(info), depth)
      case 6:
        return this.tag(this.arg(info))
      default:
        return this.simple(info)
    }
  }

  byteString(len: number): Uint8Array {
    this.need(len)
    const start = this.pos
    this.pos += len
    return this.bytes.subarray(start, start + len)
  }

  textString(len: number): string {
    this.need(len)
    const b = this.bytes
    const start = this.pos
    this.pos += len
    if (len < SHORT_STRING) {
      // Short ASCII strings (map keys, mostly) are cheaper to build than to hand to TextDecoder.
      let s = ''
      for (let i = start; i < start + len; i++) {
        const c = b[i] as number
        if (c > 0x7f) return this.utf8(start, len)
        s += String.fromCharCode(c)
      }
      return s
    }
    return this.utf8(start, len)
  }

  private utf8(start: number, len: number): string {
    try {
      return utf8.decode(this.bytes.subarray(start, start + len))
    } catch {
      this.pos = start
      return this.fail('invalid UTF-8 in text string')
    }
  }

  array(len: number, depth: number): unknown[] {
    if (depth >= MAX_CBOR_DEPTH) this.fail(`nesting deeper than ${MAX_CBOR_DEPTH}`)
    // Every item takes at least one byte: reject impossible lengths before allocating.
    this.need(len)
    const out = new Array<unknown>(len)
    for (let i = 0; i < len; i++) out[i] = this.value(depth + 1)
    return out
  }

  map(len: number, depth: number): Record<string, unknown> {
    if (depth >= MAX_CBOR_DEPTH) this.fail(`nesting deeper than ${MAX_CBOR_DEPTH}`)
    this.need(len * 2)
    const out: Record<string, unknown> = {}
    let prevStart = -1
    let prevEnd = -1
    for (let i = 0; i < len; i++) {
      this.need(1)
      const keyStart = this.pos
      const ib = this.bytes[this.pos++] as number
      if (ib >> 5 !== 3) this.fail('map keys must be text strings')
      const key = this.textString(this.arg(ib & 31))
      if (prevStart >= 0) {
        const order = this.compareRanges(prevStart, prevEnd, keyStart, this.pos)
        if (order === 0) this.fail(`duplicate map key "${key}"`)
        if (order > 0) this.fail('map keys out of canonical order')
      }
      prevStart = keyStart
      prevEnd = this.pos
      const value = this.value(depth + 1)
      if (key === '__proto__') {
        // Plain assignment would set the prototype instead of creating an own property.
        Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true })
      } else {
        out[key] = value
      }
    }
    return out
  }

  /** Canonical order of two encoded keys in the input: shorter first, then bytewise. */
  private compareRanges(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
    const d = aEnd - aStart - (bEnd - bStart)
    if (d !== 0) return d
    const b = this.bytes
    for (let i = 0; i < aEnd - aStart; i++) {
      const c = (b[aStart + i] as number) - (b[bStart + i] as number)
      if (c !== 0) return c
    }
    return 0
  }

  tag(tag: number): CID {
    if (tag !== CID_TAG) this.fail(`unsupported tag ${tag}`)
    this.need(1)
    const ib = this.bytes[this.pos++] as number
    if (ib >> 5 !== 2) this.fail('tag 42 must wrap a byte string')
    const bytes = this.byteString(this.arg(ib & 31))
    if (bytes[0] !== 0) this.fail('tag 42 CID must start with 0x00')
    try {
      return CID.decode(bytes.subarray(1))
    } catch (err) {
      return this.fail(`invalid CID in tag 42 (${(err as Error).message})`)
    }
  }

  simple(info: number): boolean | null {
    if (info === 20) return false
    if (info === 21) return true
    if (info === 22) return null
    if (info === 23) this.fail('undefined is not part of the data model')
    if (info >= 25 && info <= 27) this.fail('floats are not part of the data model')
    return this.fail(`unsupported simple value ${info}`)
  }
}

/** Decodes exactly one DRISL value spanning all of `bytes`. */
export function decodeCbor<T = unknown>(bytes: Uint8Array): T {
  const r = new CborReader(bytes)
  const value = r.value(0)
  if (r.pos !== bytes.length) r.fail('trailing bytes after value')
  return value as T
}

/** Decodes the first DRISL value of `bytes`; returns it with the unread remainder. */
export function decodeCborFirst<T = unknown>(bytes: Uint8Array): [T, Uint8Array] {
  const r = new CborReader(bytes)
  const value = r.value(0)
  return [value as T, bytes.subarray(r.pos)]
}
