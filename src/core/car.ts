/**
 * CAR v1 files: the repository export and sync diff format. Spec: repository "CAR File
 * Serialization". This module writes CARs (streaming `writeCar`, in-memory `encodeCar`) and
 * re-exports the reader (car-reader.ts) and framing (car-format.ts).
 * Tricky bits: `writeCar` never holds the whole file: small blocks are packed into ~64 KiB
 * chunks (fewer, larger writes downstream), large blocks are yielded as-is without copying.
 * A null root writes `roots: []`, as @atproto/repo does.
 */
import { type CarBlock, encodeCarHeader, varintLength, writeVarint } from './car-format.ts'
import type { CID } from './cid.ts'

export { type CarBlock, CarError } from './car-format.ts'
export {
  type CarSource,
  DEFAULT_MAX_BLOCK_SIZE,
  decodeCar,
  type ReadCarOptions,
  readCar,
  readCarToMap,
} from './car-reader.ts'

const CHUNK_SIZE = 64 * 1024
/** Blocks at least this large are yielded directly instead of being copied into a chunk. */
const DIRECT_BLOCK_SIZE = CHUNK_SIZE / 2
const MAX_SECTION_PREFIX = 9

/** Streams a CAR file as chunks of bytes. */
export async function* writeCar(
  root: CID | null,
  blocks: Iterable<CarBlock> | AsyncIterable<CarBlock>,
): AsyncGenerator<Uint8Array> {
  let chunk = new Uint8Array(CHUNK_SIZE)
  let pos = writeSection(chunk, 0, encodeCarHeader(root))
  for await (const { cid, bytes } of blocks) {
    const cidBytes = cid.bytes
    const sectionSize = MAX_SECTION_PREFIX + cidBytes.length + bytes.length
    if (bytes.length >= DIRECT_BLOCK_SIZE) {
      const prefix = new Uint8Array(MAX_SECTION_PREFIX + cidBytes.length)
      const end = writeVarint(prefix, 0, cidBytes.length + bytes.length)
      prefix.set(cidBytes, end)
      if (pos > 0) yield chunk.subarray(0, pos)
      yield prefix.subarray(0, end + cidBytes.length)
      yield bytes
      chunk = new Uint8Array(CHUNK_SIZE)
      pos = 0
      continue
    }
    if (pos + sectionSize > chunk.length) {
      yield chunk.subarray(0, pos)
      chunk = new Uint8Array(CHUNK_SIZE)
      pos = 0
    }
    pos = writeSection(chunk, pos, cidBytes, bytes)
  }
  if (pos > 0) yield chunk.subarray(0, pos)
}

/** Builds a whole CAR in memory; for small CARs (proofs, diffs, tests). */
export function encodeCar(root: CID | null, blocks: Iterable<CarBlock>): Uint8Array {
  const header = encodeCarHeader(root)
  const list = [...blocks]
  let size = varintLength(header.length) + header.length
  for (const { cid, bytes } of list) {
    const sectionLength = cid.bytes.length + bytes.length
    size += varintLength(sectionLength) + sectionLength
  }
  const out = new Uint8Array(size)
  let pos = writeSection(out, 0, header)
  for (const { cid, bytes } of list) pos = writeSection(out, pos, cid.bytes, bytes)
  return out
}

/** Writes varint(total length) followed by the parts; returns the new position. */
function writeSection(buf: Uint8Array, pos: number, first: Uint8Array, second?: Uint8Array): number {
  let p = writeVarint(buf, pos, first.length + (second?.length ?? 0))
  buf.set(first, p)
  p += first.length
  if (second) {
    buf.set(second, p)
    p += second.length
  }
  return p
}
