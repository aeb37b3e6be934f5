/**
 * CAR v1 files: the repository export and sync diff format. Spec: repository "CAR File
 * Serialization". This module writes CARs (streaming `writeCar`, in-memory `encodeCar`) and
 * re-exports the reader (car-reader.ts) and framing (car-format.ts).
 * Tricky bits: `writeCar` never holds the whole file: small blocks are packed into ~64 KiB
 * chunks (fewer, larger writes downstream), large blocks are yielded as-is without copying.
 * `CarChunker` is that packing on its own, for exports that produce a chunk's blocks in one go.
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
  const chunker = new CarChunker(root)
  for await (const { cid, bytes } of blocks) {
    if (chunker.add(cid.bytes, bytes)) yield* chunker.take()
  }
  yield* chunker.finish()
}

/**
 * The synchronous core of `writeCar`, for producers that fill a chunk without suspending per
 * block: `add` sections until it answers true, then `take` the completed chunks; `finish` at the
 * end. A chunk is never written to after it has been taken.
 */
export class CarChunker {
  private chunk = new Uint8Array(CHUNK_SIZE)
  private pos: number
  private ready: Uint8Array[] = []

  constructor(root: CID | null) {
    this.pos = writeSection(this.chunk, 0, encodeCarHeader(root))
  }

  /** Adds a block (its binary CID and bytes); true when completed chunks are waiting. */
  add(cid: Uint8Array, bytes: Uint8Array): boolean {
    if (bytes.length >= DIRECT_BLOCK_SIZE) {
      const prefix = new Uint8Array(MAX_SECTION_PREFIX + cid.length)
      const end = writeVarint(prefix, 0, cid.length + bytes.length)
      prefix.set(cid, end)
      this.flush()
      this.ready.push(prefix.subarray(0, end + cid.length), bytes)
      return true
    }
    if (this.pos + MAX_SECTION_PREFIX + cid.length + bytes.length > CHUNK_SIZE) this.flush()
    this.pos = writeSection(this.chunk, this.pos, cid, bytes)
    return this.ready.length > 0
  }

  /** The chunks completed since the last call. */
  take(): Uint8Array[] {
    const chunks = this.ready
    this.ready = []
    return chunks
  }

  /** The remaining chunks, the partial last one included. */
  finish(): Uint8Array[] {
    this.flush()
    return this.take()
  }

  private flush(): void {
    if (this.pos === 0) return
    this.ready.push(this.chunk.subarray(0, this.pos))
    this.chunk = new Uint8Array(CHUNK_SIZE)
    this.pos = 0
  }
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
