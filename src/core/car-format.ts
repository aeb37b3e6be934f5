/**
 * CAR v1 framing shared by the reader and the writer: varints, the header and block sections.
 * Spec: repository "CAR File Serialization"; https://ipld.io/specs/transport/car/carv1/.
 * A CAR is varint(len) + DAG-CBOR header `{version: 1, roots: [CID...]}`, then sections of
 * varint(len) + binary CID + block bytes.
 * Tricky bits: atproto only uses CIDv1 + sha2-256 with the dag-cbor or raw codec, so a block's CID
 * is always 36 bytes; anything else is rejected rather than guessed at. Every block's bytes are
 * hashed and checked against its CID.
 */
import { decodeCbor, encodeCbor } from './cbor.ts'
import { CID, DAG_CBOR_CODEC, RAW_CODEC, SHA256_CODE, sha256 } from './cid.ts'

export class CarError extends Error {
  override name = 'CarError'
}

export interface CarBlock {
  cid: CID
  bytes: Uint8Array
}

/** Largest varint we accept: 2^53 - 1 needs 8 bytes of 7 bits. */
const MAX_VARINT_BYTES = 8
const CID_LENGTH = 36
const DIGEST_LENGTH = 32

export function varintLength(n: number): number {
  let len = 1
  for (let rest = n; rest >= 0x80; rest = Math.floor(rest / 0x80)) len++
  return len
}

/** Writes an unsigned LEB128 varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  let p = pos
  let rest = n
  while (rest >= 0x80) {
    buf[p++] = (rest & 0x7f) | 0x80
    rest = Math.floor(rest / 0x80)
  }
  buf[p++] = rest
  return p
}

/**
 * Reads a varint through `byteAt` (which returns undefined past the available bytes).
 * Returns [value, length], or undefined when more bytes are needed to finish it.
 */
export function readVarint(byteAt: (i: number) => number | undefined): [number, number] | undefined {
  let value = 0
  let scale = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const b = byteAt(i)
    if (b === undefined) return undefined
    value += (b & 0x7f) * scale
    if (b < 0x80) {
      if (b === 0 && i > 0) throw new CarError('invalid CAR: non-minimal varint')
      return [value, i + 1]
    }
    scale *= 0x80
  }
  throw new CarError('invalid CAR: varint too long')
}

export function encodeCarHeader(root: CID | null): Uint8Array {
  return encodeCbor({ version: 1, roots: root ? [root] : [] })
}

export function parseCarHeader(bytes: Uint8Array): CID[] {
  let header: unknown
  try {
    header = decodeCbor(bytes)
  } catch (err) {
    throw new CarError(`invalid CAR header: ${(err as Error).message}`)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CarError('invalid CAR header: not a map')
  }
  const { version, roots } = header as { version?: unknown; roots?: unknown }
  if (version !== 1) throw new CarError(`unsupported CAR version: ${String(version)}`)
  if (!Array.isArray(roots) || !roots.every((r) => r instanceof CID)) {
    throw new CarError('invalid CAR header: roots must be an array of CIDs')
  }
  return roots
}

/** Splits a section into CID and bytes and checks the bytes hash to the CID. */
export function parseBlockSection(section: Uint8Array): CarBlock {
  if (
    section.length < CID_LENGTH ||
    section[0] !== 1 ||
    (section[1] !== DAG_CBOR_CODEC && section[1] !== RAW_CODEC) ||
    section[2] !== SHA256_CODE ||
    section[3] !== DIGEST_LENGTH
  ) {
    throw new CarError('invalid CAR block: CID must be CIDv1, sha2-256, dag-cbor or raw')
  }
  const bytes = section.subarray(CID_LENGTH)
  const digest = sha256(bytes)
  for (let i = 0; i < DIGEST_LENGTH; i++) {
    if (digest[i] !== section[4 + i]) {
      throw new CarError(
        `invalid CAR block: bytes do not match CID ${CID.decode(section.subarray(0, CID_LENGTH))}`,
      )
    }
  }
  // Copy the CID so keeping it does not pin the (possibly large) chunk it was read from.
  return { cid: CID.decode(section.slice(0, CID_LENGTH)), bytes }
}
