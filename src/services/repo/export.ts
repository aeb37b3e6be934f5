/**
 * The whole repository as a CAR stream (repository spec, "CAR File Serialization"): the commit
 * first, then the MST in the streamable block order (each node before its entries' records and
 * subtrees). It reads a snapshot, so a commit landing mid-export cannot tear the file.
 *
 * Speed: the walk runs over raw bytes and fills a 64 KiB chunk synchronously before yielding it;
 * records come a page at a time from the record index joined with the blocks, in rkey order, which
 * is the walk's order within a collection. Memory: one chunk, one page of records, and the pending
 * slots of one node per tree level.
 */
import { MissingBlockError } from '../../core/block-reader.ts'
import { CarChunker } from '../../core/car.ts'
import { CID } from '../../core/cid.ts'
import { CarOrderWalk, type CarWalkSource } from '../../core/mst/car-walk.ts'
import { type RecordBlock, RepoSnapshot, type RepoStorage } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'

/** Records fetched per query, and the largest block a page carries (others are read alone). */
const RECORD_PAGE = 128
const RECORD_PAGE_MAX_BLOCK = 32 * 1024

export async function* exportRepoCar(storage: RepoStorage, did: string): AsyncGenerator<Uint8Array> {
  const snapshot = RepoSnapshot.open(storage.db.path)
  try {
    const root = snapshot.root(did)
    if (!root) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
    const source = new SnapshotBlocks(snapshot, did)
    const car = new CarChunker(root.cid)
    car.add(root.cid.bytes, source.block(root.cid.bytes))
    const walk = new CarOrderWalk(source, root.data.bytes)
    const add = (cid: Uint8Array, bytes: Uint8Array) => car.add(cid, bytes)
    while (walk.run(add)) yield* car.take()
    yield* car.finish()
  } finally {
    snapshot.close()
  }
}

/**
 * Blocks of one repository in a snapshot. Records are served from a page of the record index,
 * refilled from the wanted key whenever the next row is not the wanted block; that happens when
 * the walk enters another collection or the page runs out. A row is used only when its CID is the
 * one asked for, so the index can only make the export faster, never different: a record missing
 * from it is looked up by CID.
 */
class SnapshotBlocks implements CarWalkSource {
  private page: RecordBlock[] = []
  private next = 0

  constructor(
    private readonly snapshot: RepoSnapshot,
    private readonly did: string,
  ) {}

  node(cid: Uint8Array): Uint8Array {
    return this.block(cid)
  }

  record(key: string, cid: Uint8Array): Uint8Array {
    let row = this.fromPage(cid)
    if (!row) {
      this.refill(key)
      row = this.fromPage(cid)
    }
    return row?.bytes ?? this.block(cid)
  }

  block(cid: Uint8Array): Uint8Array {
    const bytes = this.snapshot.blockBytes(this.did, cid)
    if (!bytes) throw new MissingBlockError(CID.decode(cid))
    return bytes
  }

  /** The next row of the page when it is the block `cid`. */
  private fromPage(cid: Uint8Array): RecordBlock | undefined {
    const row = this.page[this.next]
    if (!row || !sameBytes(row.cid, cid)) return undefined
    this.next++
    return row
  }

  private refill(key: string): void {
    const slash = key.indexOf('/')
    this.page =
      slash < 0
        ? []
        : this.snapshot.recordBlocksFrom(this.did, {
            collection: key.slice(0, slash),
            rkey: key.slice(slash + 1),
            limit: RECORD_PAGE,
            maxBytes: RECORD_PAGE_MAX_BLOCK,
          })
    this.next = 0
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false
  return true
}
