/**
 * Inside the write transaction, after the MST: the record index, blob refs and backlinks follow
 * the committed ops. Record blocks that no path uses anymore are deleted only after every write
 * is indexed, because one commit may drop a record's block from one path and reuse it in another.
 */
import type { CID } from '../../core/cid.ts'
import type { RepoOp } from '../../core/repo/index.ts'
import type { RepoStorage } from '../../storage/repo/index.ts'
import type { BlobService, PreparedBlobs } from '../blobs/index.ts'
import type { ResolvedWrite } from './resolve.ts'

export function indexWritesInTx(
  storage: RepoStorage,
  blobs: BlobService,
  did: string,
  writes: readonly ResolvedWrite[],
  ops: readonly RepoOp[],
  rev: string,
  prepared: PreparedBlobs,
): void {
  const detachedBlobs: string[] = []
  const replacedRecords: CID[] = []
  writes.forEach((write, i) => {
    const op = ops[i]!
    const { collection, rkey } = write
    if (write.action !== 'create') {
      detachedBlobs.push(...blobs.detachInTx(did, collection, rkey))
      storage.backlinks.removeRecord(did, collection, rkey)
    }
    if (write.action === 'delete') {
      storage.records.delete(did, collection, rkey)
    } else {
      storage.records.put(did, collection, rkey, op.cid!, rev)
      storage.backlinks.add(did, collection, rkey, write.backlinks)
      blobs.attachInTx(did, collection, rkey, write.blobs, prepared)
    }
    if (op.prev) replacedRecords.push(op.prev)
  })
  for (const cid of replacedRecords) storage.blocks.deleteRecordBlockIfUnused(did, cid)
  blobs.markUnreferencedInTx(did, detachedBlobs)
}
