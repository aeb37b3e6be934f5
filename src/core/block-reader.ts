/**
 * The synchronous block source the MST and commit code read from. Storage implements it over
 * SQLite; tests implement it over a Map. Synchronous on purpose: a whole commit runs inside one
 * synchronous SQLite transaction.
 */
import type { CID } from './cid.ts'

export interface BlockReader {
  get(cid: CID): Uint8Array | undefined
}

/** An in-memory block map keyed by CID string; also a BlockReader. */
export class BlockMap implements BlockReader {
  private readonly blocks = new Map<string, { cid: CID; bytes: Uint8Array }>()

  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cid.toString())?.bytes
  }

  has(cid: CID): boolean {
    return this.blocks.has(cid.toString())
  }

  set(cid: CID, bytes: Uint8Array): void {
    this.blocks.set(cid.toString(), { cid, bytes })
  }

  delete(cid: CID): void {
    this.blocks.delete(cid.toString())
  }

  addAll(other: BlockMap): void {
    for (const entry of other.entries()) this.set(entry.cid, entry.bytes)
  }

  get size(): number {
    return this.blocks.size
  }

  *entries(): IterableIterator<{ cid: CID; bytes: Uint8Array }> {
    yield* this.blocks.values()
  }
}

export class MissingBlockError extends Error {
  override name = 'MissingBlockError'
  constructor(readonly cid: CID) {
    super(`missing block ${cid.toString()}`)
  }
}

/** Reads a block or throws MissingBlockError. */
export function readBlock(reader: BlockReader, cid: CID): Uint8Array {
  const bytes = reader.get(cid)
  if (!bytes) throw new MissingBlockError(cid)
  return bytes
}
