/**
 * The synchronous block source the MST and commit code read from. Storage implements it over
 * SQLite; tests implement it over a Map. Synchronous on purpose: a whole commit runs inside one
 * synchronous SQLite transaction.
 */
import { type CID, cidKey } from './cid.ts'

export interface BlockReader {
  get(cid: CID): Uint8Array | undefined
}

/** An in-memory block map keyed by binary CID; also a BlockReader. */
export class BlockMap implements BlockReader {
  private readonly blocks = new Map<string, { cid: CID; bytes: Uint8Array }>()

  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cidKey(cid))?.bytes
  }

  has(cid: CID): boolean {
    return this.blocks.has(cidKey(cid))
  }

  set(cid: CID, bytes: Uint8Array): void {
    this.blocks.set(cidKey(cid), { cid, bytes })
  }

  delete(cid: CID): void {
    this.blocks.delete(cidKey(cid))
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
