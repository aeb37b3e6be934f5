/**
 * CAR v1 reading: streaming (`readCar`, bounded memory) and in-memory (`decodeCar`, synchronous).
 * Spec: repository "CAR File Serialization".
 * Tricky bits: the streaming reader buffers at most one section plus one source chunk; a section
 * that fits inside one chunk is returned as a view (no copy). Section lengths are checked against
 * `maxBlockSize` before anything is buffered, so a hostile length cannot force a huge allocation.
 * Every block's CID is verified against its bytes.
 */
import { BlockMap } from './block-reader.ts'
import { type CarBlock, CarError, parseBlockSection, parseCarHeader, readVarint } from './car-format.ts'
import type { CID } from './cid.ts'

export interface ReadCarOptions {
  /** Largest accepted block section (CID + bytes), in bytes. Default 2 MiB. */
  maxBlockSize?: number
}

export type CarSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>

export const DEFAULT_MAX_BLOCK_SIZE = 2 * 1024 * 1024
const MAX_HEADER_SIZE = 64 * 1024

/** Pulls exact-length sections out of a stream of arbitrarily sized chunks. */
class SectionReader {
  private chunks: Uint8Array[] = []
  private head = 0 // index of the first unread chunk
  private offset = 0 // read position inside chunks[head]
  private buffered = 0 // unread bytes across chunks
  private done = false

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** The next varint-prefixed section, or null at a clean end of input. */
  async next(maxSize: number, what: string): Promise<Uint8Array | null> {
    let varint = readVarint((i) => this.peek(i))
    while (!varint && (await this.pull())) varint = readVarint((i) => this.peek(i))
    if (!varint) {
      if (this.buffered === 0) return null
      throw new CarError(`truncated CAR: incomplete ${what} length`)
    }
    const [length, varintSize] = varint
    checkSectionLength(length, maxSize, what)
    this.take(varintSize)
    while (this.buffered < length) {
      if (!(await this.pull())) throw new CarError(`truncated CAR: ${what} needs ${length} bytes`)
    }
    return this.take(length)
  }

  async close(): Promise<void> {
    this.chunks = []
    this.head = 0
    if (!this.done) {
      this.done = true
      await this.source.return?.()
    }
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false
    const { value, done } = await this.source.next()
    if (done) {
      this.done = true
      return false
    }
    if (!(value instanceof Uint8Array)) throw new CarError('CAR source yielded a non-byte chunk')
    if (value.length > 0) {
      this.chunks.push(value)
      this.buffered += value.length
    }
    return true
  }

  private peek(i: number): number | undefined {
    if (i >= this.buffered) return undefined
    let pos = this.offset + i
    for (let c = this.head; c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as Uint8Array
      if (pos < chunk.length) return chunk[pos]
      pos -= chunk.length
    }
    return undefined
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[this.head] as Uint8Array
    this.buffered -= n
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n)
      this.offset += n
      if (this.offset === first.length) this.dropFirst()
      return out
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[this.head] as Uint8Array
      const count = Math.min(chunk.length - this.offset, n - filled)
      out.set(chunk.subarray(this.offset, this.offset + count), filled)
      filled += count
      this.offset += count
      if (this.offset === chunk.length) this.dropFirst()
    }
    return out
  }

  private dropFirst(): void {
    this.head++
    this.offset = 0
    // Compact now and then instead of shifting per chunk (tiny chunks would make that quadratic).
    if (this.head === this.chunks.length) {
      this.chunks = []
      this.head = 0
    } else if (this.head >= 1024) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }
}

/**
 * Reads a CAR's header, then streams its blocks. Iterate `blocks` to the end (or break out of the
 * loop) so the source is released. Throws CarError on any malformed or forged input.
 */
export async function readCar(
  source: CarSource,
  opts: ReadCarOptions = {},
): Promise<{ roots: CID[]; blocks: AsyncGenerator<CarBlock> }> {
  const reader = new SectionReader(toIterator(source))
  try {
    const header = await reader.next(MAX_HEADER_SIZE, 'header')
    if (!header) throw new CarError('invalid CAR: empty input')
    const roots = parseCarHeader(header)
    return { roots, blocks: readBlocks(reader, opts.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE) }
  } catch (err) {
    await reader.close()
    throw err
  }
}

async function* readBlocks(reader: SectionReader, maxBlockSize: number): AsyncGenerator<CarBlock> {
  try {
    for (;;) {
      const section = await reader.next(maxBlockSize, 'block')
      if (!section) return
      yield parseBlockSection(section)
    }
  } finally {
    await reader.close()
  }
}

/** Reads a whole CAR with exactly one root into a BlockMap (duplicate blocks collapse). */
export async function readCarToMap(
  source: CarSource,
  opts: ReadCarOptions = {},
): Promise<{ root: CID; blocks: BlockMap }> {
  const { roots, blocks } = await readCar(source, opts)
  const root = singleRoot(roots)
  const map = new BlockMap()
  for await (const block of blocks) map.set(block.cid, block.bytes)
  return { root, blocks: map }
}

/** Synchronous reader for a CAR already in memory (proof CARs, firehose `blocks`). */
export function decodeCar(bytes: Uint8Array, opts: ReadCarOptions = {}): { roots: CID[]; blocks: BlockMap } {
  const maxBlockSize = opts.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE
  let pos = 0
  const nextSection = (maxSize: number, what: string): Uint8Array | null => {
    if (pos === bytes.length) return null
    const varint = readVarint((i) => bytes[pos + i])
    if (!varint) throw new CarError(`truncated CAR: incomplete ${what} length`)
    const [length, varintSize] = varint
    checkSectionLength(length, maxSize, what)
    const start = pos + varintSize
    if (start + length > bytes.length) throw new CarError(`truncated CAR: ${what} needs ${length} bytes`)
    pos = start + length
    return bytes.subarray(start, pos)
  }
  const header = nextSection(MAX_HEADER_SIZE, 'header')
  if (!header) throw new CarError('invalid CAR: empty input')
  const roots = parseCarHeader(header)
  const blocks = new BlockMap()
  let section = nextSection(maxBlockSize, 'block')
  while (section) {
    const block = parseBlockSection(section)
    blocks.set(block.cid, block.bytes)
    section = nextSection(maxBlockSize, 'block')
  }
  return { roots, blocks }
}

export function singleRoot(roots: CID[]): CID {
  const [root] = roots
  if (!root || roots.length !== 1) throw new CarError(`expected exactly one CAR root, got ${roots.length}`)
  return root
}

function checkSectionLength(length: number, maxSize: number, what: string): void {
  if (length === 0) throw new CarError(`invalid CAR: empty ${what}`)
  if (length > maxSize)
    throw new CarError(`invalid CAR: ${what} of ${length} bytes exceeds the ${maxSize} limit`)
}

async function* single(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

function toIterator(source: CarSource): AsyncIterator<Uint8Array> {
  if (source instanceof Uint8Array) return single(source)
  return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
}
