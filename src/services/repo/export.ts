/**
 * The whole repository as a CAR stream (repository spec, "CAR File Serialization"): the commit
 * first, then the MST in the streamable block order (each node before its entries' records and
 * subtrees). It reads a snapshot, so a commit landing mid-export cannot tear the file, and it
 * holds one block at a time plus the CAR writer's 64 KiB chunk.
 */
import { type BlockReader, readBlock } from '../../core/block-reader.ts'
import { type CarBlock, writeCar } from '../../core/car.ts'
import type { CID } from '../../core/cid.ts'
import { Mst } from '../../core/mst/index.ts'
import { type RepoRoot, RepoSnapshot, type RepoStorage } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'

export async function* exportRepoCar(storage: RepoStorage, did: string): AsyncGenerator<Uint8Array> {
  const snapshot = RepoSnapshot.open(storage.db.path)
  try {
    const root = snapshot.root(did)
    if (!root) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
    yield* writeCar(root.cid, repoBlocks(lastBlockMemo(snapshot.reader(did)), root))
  } finally {
    snapshot.close()
  }
}

function* repoBlocks(reader: BlockReader, root: RepoRoot): Generator<CarBlock> {
  yield { cid: root.cid, bytes: readBlock(reader, root.cid) }
  for (const { cid } of Mst.load(reader, root.data).carOrder()) yield { cid, bytes: readBlock(reader, cid) }
}

/**
 * The tree walk reads each node right after we read its bytes for the CAR; remembering the last
 * block answers that second read without another query.
 */
export function lastBlockMemo(reader: BlockReader): BlockReader {
  let lastCid: CID | undefined
  let lastBytes: Uint8Array | undefined
  return {
    get(cid) {
      if (lastCid?.equals(cid)) return lastBytes
      lastBytes = reader.get(cid)
      lastCid = cid
      return lastBytes
    },
  }
}
