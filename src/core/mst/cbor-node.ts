/**
 * A hand-written reader and writer for the one canonical DAG-CBOR shape of MST nodes, because
 * node decoding and encoding dominate the cost of a write (a generic decoder spends most of its
 * time building CID objects).
 * Spec: repository "MST Structure"; data-model (DRISL: minimal heads, sorted map keys, tag 42).
 *
 * The layout is fixed: `{"e": [{"k": bytes, "p": uint, "t": null|cid, "v": cid}, ...], "l": null|cid}`
 * with keys in canonical order and minimal length heads. `readCanonicalNode` returns null as soon
 * as the input departs from that layout, and the caller falls back to the generic strict decoder
 * (which rejects bad CBOR and tolerates extra fields). CIDs in the usual v1/sha2-256 form are
 * built directly over views of the input instead of being re-parsed.
 */

import { Digest } from 'multiformats/hashes/digest'
import { CID } from '../cid.ts'
import { InvalidMstKeyError } from './key.ts'

/** An entry as stored; links are CIDs, or binary CIDs (`Uint8Array`) from `readCanonicalNodeLinks`. */
export interface RawEntry<Link = CID> {
  readonly p: number
  readonly k: Uint8Array
  readonly v: Link
  readonly t: Link | null
}

export interface RawNode<Link = CID> {
  readonly l: Link | null
  readonly e: readonly RawEntry<Link>[]
}

const NULL = 0xf6
const TAG_42 = [0xd8, 0x2a]
const [KEY_E, KEY_K, KEY_L, KEY_P, KEY_T, KEY_V] = [0x65, 0x6b, 0x6c, 0x70, 0x74, 0x76]

class Reader {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}

  /** Reads a head of the given major type with a minimally encoded argument; -1 on mismatch. */
  head(major: number): number {
    const initial = this.bytes[this.pos++]
    if (initial === undefined || initial >> 5 !== major) return -1
    const info = initial & 0x1f
    if (info < 24) return info
    const b = this.bytes
    if (info === 24 && this.pos < b.length) {
      const n = b[this.pos++]!
      return n >= 24 ? n : -1
    }
    if (info === 25 && this.pos + 1 < b.length) {
      const n = (b[this.pos]! << 8) | b[this.pos + 1]!
      this.pos += 2
      return n >= 0x100 ? n : -1
    }
    return -1
  }

  /** A one-letter map key. */
  key(letter: number): boolean {
    return this.bytes[this.pos++] === 0x61 && this.bytes[this.pos++] === letter
  }

  bytesOf(length: number): Uint8Array | null {
    if (length < 0 || this.pos + length > this.bytes.length) return null
    this.pos += length
    return this.bytes.subarray(this.pos - length, this.pos)
  }

  /** A tag-42 link as its binary CID (a view of the input), null for CBOR null; undefined otherwise. */
  link(): Uint8Array | null | undefined {
    if (this.bytes[this.pos] === NULL) {
      this.pos++
      return null
    }
    if (this.bytes[this.pos++] !== TAG_42[0] || this.bytes[this.pos++] !== TAG_42[1]) return undefined
    const raw = this.bytesOf(this.head(2))
    if (raw?.[0] !== 0) return undefined
    return raw.subarray(1)
  }
}

/** The usual v1, one-byte codec, sha2-256, 32-byte digest form of nearly every atproto CID. */
function isShortV1(bytes: Uint8Array): boolean {
  return bytes.length === 36 && bytes[0] === 1 && bytes[1]! < 0x80 && bytes[2] === 0x12 && bytes[3] === 32
}

function cidFromBytes(bytes: Uint8Array): CID | undefined {
  if (isShortV1(bytes)) {
    return new CID(1, bytes[1]!, new Digest(0x12, 32, bytes.subarray(4), bytes.subarray(2)), bytes)
  }
  try {
    return CID.decode(bytes)
  } catch {
    return undefined
  }
}

/** Parses a node in exactly the canonical layout; null when the bytes are laid out otherwise. */
export function readCanonicalNode(bytes: Uint8Array): RawNode | null {
  const raw = readCanonicalNodeLinks(bytes)
  if (!raw) return null
  const l = raw.l && cidFromBytes(raw.l)
  if (l === undefined) return null
  const e: RawEntry[] = []
  for (const { p, k, v, t } of raw.e) {
    const value = cidFromBytes(v)
    const right = t && cidFromBytes(t)
    if (!value || right === undefined) return null
    e.push({ p, k, v: value, t: right })
  }
  return { l, e }
}

/**
 * `readCanonicalNode` with the links left as binary CIDs (views of the input), for walks that
 * only pass them on. Only the usual v1/sha2-256 form is accepted here; null otherwise.
 */
export function readCanonicalNodeLinks(bytes: Uint8Array): RawNode<Uint8Array> | null {
  const r = new Reader(bytes)
  if (r.head(5) !== 2 || !r.key(KEY_E)) return null
  const count = r.head(4)
  if (count < 0) return null
  const e: RawEntry<Uint8Array>[] = []
  for (let i = 0; i < count; i++) {
    if (r.head(5) !== 4 || !r.key(KEY_K)) return null
    const k = r.bytesOf(r.head(2))
    if (!k || !r.key(KEY_P)) return null
    const p = r.head(0)
    if (p < 0 || !r.key(KEY_T)) return null
    const t = r.link()
    if (t === undefined || (t !== null && !isShortV1(t)) || !r.key(KEY_V)) return null
    const v = r.link()
    if (!v || !isShortV1(v)) return null
    e.push({ p, k, v, t })
  }
  if (!r.key(KEY_L)) return null
  const l = r.link()
  if (l === undefined || (l !== null && !isShortV1(l))) return null
  return r.pos !== bytes.length ? null : { l, e }
}

/** Key bytes to a string of the same code units (keys are ASCII; anything else fails validation). */
export function asciiString(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[])
}

function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5
}

function linkSize(cid: CID | null): number {
  return cid ? 2 + headSize(cid.bytes.length + 1) + 1 + cid.bytes.length : 1
}

class Writer {
  pos = 0
  constructor(readonly out: Uint8Array) {}

  head(major: number, n: number): void {
    const out = this.out
    const m = major << 5
    if (n < 24) {
      out[this.pos++] = m | n
    } else if (n < 0x100) {
      out[this.pos++] = m | 24
      out[this.pos++] = n
    } else if (n < 0x10000) {
      out[this.pos++] = m | 25
      out[this.pos++] = n >> 8
      out[this.pos++] = n & 0xff
    } else {
      out[this.pos++] = m | 26
      new DataView(out.buffer).setUint32(this.pos, n)
      this.pos += 4
    }
  }

  key(letter: number): void {
    this.out[this.pos++] = 0x61
    this.out[this.pos++] = letter
  }

  ascii(text: string): void {
    this.head(2, text.length)
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c > 0x7f) throw new InvalidMstKeyError(text)
      this.out[this.pos++] = c
    }
  }

  link(cid: CID | null): void {
    if (!cid) {
      this.out[this.pos++] = NULL
      return
    }
    this.out[this.pos++] = TAG_42[0]!
    this.out[this.pos++] = TAG_42[1]!
    this.head(2, cid.bytes.length + 1)
    this.out[this.pos++] = 0
    this.out.set(cid.bytes, this.pos)
    this.pos += cid.bytes.length
  }
}

export interface EntryToWrite {
  readonly p: number
  /** The key suffix after the shared prefix (ASCII: keys are validated MST keys). */
  readonly k: string
  readonly v: CID
  readonly t: CID | null
}

/** Writes a node in the canonical layout, into a buffer of exactly the right size. */
export function writeCanonicalNode(left: CID | null, entries: readonly EntryToWrite[]): Uint8Array {
  let size = 1 + 2 + headSize(entries.length) + 2 + linkSize(left)
  for (const entry of entries) {
    size += 1 + 2 + headSize(entry.k.length) + entry.k.length + 2 + headSize(entry.p)
    size += 2 + linkSize(entry.t) + 2 + linkSize(entry.v)
  }
  const w = new Writer(new Uint8Array(size))
  w.head(5, 2)
  w.key(KEY_E)
  w.head(4, entries.length)
  for (const entry of entries) {
    w.head(5, 4)
    w.key(KEY_K)
    w.ascii(entry.k)
    w.key(KEY_P)
    w.head(0, entry.p)
    w.key(KEY_T)
    w.link(entry.t)
    w.key(KEY_V)
    w.link(entry.v)
  }
  w.key(KEY_L)
  w.link(left)
  return w.out
}
