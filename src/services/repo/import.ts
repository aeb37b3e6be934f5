/**
 * com.atproto.repo.importRepo (account migration): replaces the account's repository with the
 * one in a CAR. The body is streamed into staging (bounded memory); then, in one transaction,
 * the commit is decoded (its DID must be this account's; its signature is the old host's key and
 * is not checked), the whole MST is walked (node depths, key order and record paths are
 * verified as it goes), every node and record is copied, every record indexed, and a new commit
 * over the same tree is signed with this account's key and announced with a #sync event. Any
 * problem is a 400 and rolls everything back. Referenced blobs that were never uploaded here are
 * then listed by listMissingBlobs.
 */

import { findBlobRefs } from '../../core/blob-ref.ts'
import { type BlockReader, readBlock } from '../../core/block-reader.ts'
import { CarError, readCar } from '../../core/car.ts'
import { decodeCbor } from '../../core/cbor.ts'
import type { CID } from '../../core/cid.ts'
import type { LexMap } from '../../core/data-model.ts'
import { Mst } from '../../core/mst/index.ts'
import { decodeCommit, encodeCommit, isMalformedRepoError, signCommit } from '../../core/repo/index.ts'
import { isValidNsid, isValidRecordKey } from '../../core/syntax/index.ts'
import type { StoredBlock } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { backlinksOf } from './backlinks.ts'
import type { CommitDeps } from './commit.ts'
import { sequenceSyncInTx } from './lifecycle.ts'
import type { CommitRef } from './types.ts'

const STAGING_BATCH = 512

export async function importRepo(
  deps: CommitDeps,
  did: string,
  car: ReadableStream<Uint8Array>,
): Promise<CommitRef> {
  const staging = deps.storage.importStaging
  const id = staging.begin()
  try {
    const root = await stageCar(deps, id, car)
    const reader = lastBlockMemo(staging.reader(id))
    const commit = deps.storage.db.transaction(() => replaceRepoInTx(deps, did, root, reader))
    deps.sequencer.afterCommit()
    await deps.blobs.settleReferencedUploads(did)
    return commit
  } catch (err) {
    if (isMalformedRepoError(err)) {
      throw new InvalidRequestError(`Invalid repo CAR: ${err.message}`, 'InvalidRequest', {
        cause: err,
      })
    }
    throw err
  } finally {
    staging.clear(id)
  }
}

async function stageCar(deps: CommitDeps, id: number, car: ReadableStream<Uint8Array>): Promise<CID> {
  const { roots, blocks } = await readCar(car)
  const [root] = roots
  if (!root || roots.length !== 1) throw new CarError(`expected exactly one root, got ${roots.length}`)
  let batch: StoredBlock[] = []
  for await (const block of blocks) {
    batch.push(block)
    if (batch.length === STAGING_BATCH) {
      deps.storage.importStaging.add(id, batch)
      batch = []
    }
  }
  deps.storage.importStaging.add(id, batch)
  return root
}

function replaceRepoInTx(deps: CommitDeps, did: string, root: CID, reader: BlockReader): CommitRef {
  const { storage } = deps
  const imported = decodeCommit(readBlock(reader, root))
  if (imported.did !== did) throw new InvalidRequestError(`The repo belongs to ${imported.did}, not ${did}`)
  const previous = storage.roots.get(did)
  const rev = deps.tid.next(previous && previous.rev > imported.rev ? previous.rev : imported.rev)
  for (const table of [storage.blocks, storage.records, storage.recordBlobs, storage.backlinks])
    table.deleteAll(did)
  const tree = Mst.load(reader, imported.data)
  for (const cid of tree.allNodeCids())
    storage.blocks.putMany(did, [{ cid, bytes: readBlock(reader, cid) }], rev)
  for (const leaf of tree.walkLeaves()) indexImportedRecord(deps, did, leaf.key, leaf.cid, reader, rev)
  const commit = signCommit(
    { did, version: 3, data: imported.data, rev, prev: null },
    deps.accounts.signingKey(did),
  )
  const block = encodeCommit(commit)
  storage.blocks.putMany(did, [block], rev)
  storage.roots.set(did, { cid: block.cid, data: imported.data, rev })
  storage.blobs.refreshReferences(did, new Date().toISOString())
  sequenceSyncInTx(deps, did)
  return { cid: block.cid, rev }
}

function indexImportedRecord(
  deps: CommitDeps,
  did: string,
  path: string,
  cid: CID,
  reader: BlockReader,
  rev: string,
): void {
  const slash = path.indexOf('/')
  const collection = path.slice(0, slash)
  const rkey = path.slice(slash + 1)
  if (!isValidNsid(collection) || !isValidRecordKey(rkey)) {
    throw new InvalidRequestError(`Invalid repo CAR: ${path} is not a record path (collection/rkey)`)
  }
  const bytes = readBlock(reader, cid)
  const record = decodeCbor(bytes)
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new InvalidRequestError(`Invalid repo CAR: the record at ${path} is not a map`)
  }
  const { storage } = deps
  storage.blocks.putMany(did, [{ cid, bytes }], rev)
  storage.records.put(did, collection, rkey, cid, rev)
  storage.recordBlobs.add(
    did,
    collection,
    rkey,
    new Set(findBlobRefs(record).map((ref) => ref.cid.toString())),
  )
  storage.backlinks.add(did, collection, rkey, backlinksOf(record as LexMap))
}

/**
 * Remembers the last block read: a tree walk reads each node right after the caller read its
 * bytes, and this answers the second read without another query.
 */
function lastBlockMemo(reader: BlockReader): BlockReader {
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
