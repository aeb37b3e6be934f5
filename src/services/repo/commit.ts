/**
 * The one write path of every repository change (createRecord, putRecord, deleteRecord,
 * applyWrites): docs/ARCHITECTURE.md decisions 1 and 2.
 *
 *   writes validated (prepare.ts) → referenced uploads made permanent in the blob store (async)
 *   → ONE immediate transaction: puts resolved and no-ops dropped → swaps checked → MST updated
 *     incrementally and the commit signed (core applyRepoWrites) → new blocks stored, dropped
 *     ones deleted → record index, blob refs, backlinks → repo root → #commit event
 *   → listeners told, temp copies of the uploads removed.
 *
 * Nothing in the transaction awaits, so it is all or nothing, and nothing reads more of the repo
 * than the MST paths the writes touch.
 */
import { BlockMap } from '../../core/block-reader.ts'
import { encodeCar } from '../../core/car.ts'
import type { CID } from '../../core/cid.ts'
import {
  type AppliedWrites,
  applyRepoWrites,
  DuplicateWritePathError,
  RecordExistsError,
  RecordNotFoundError,
  type RepoWrite,
} from '../../core/repo/index.ts'
import type { TidClock } from '../../core/tid-clock.ts'
import type { RepoRoot, RepoStorage } from '../../storage/repo/index.ts'
import type { BlobService, PreparedBlobs } from '../blobs/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { CommitEventInput, Sequencer } from '../sequencer/index.ts'
import { indexWritesInTx } from './index-writes.ts'
import { checkSwaps, type ResolvedWrite, resolveWrites } from './resolve.ts'
import type { CommitRef, CommittedWrite, PreparedWrite, RepoAccounts } from './types.ts'

export interface CommitDeps {
  readonly storage: RepoStorage
  readonly sequencer: Sequencer
  readonly blobs: BlobService
  readonly tid: TidClock
  readonly accounts: RepoAccounts
}

export interface CommitRequest {
  readonly did: string
  readonly writes: readonly PreparedWrite[]
  readonly swapCommit?: CID
  /** createRecord: first delete the records that link to the same subject (see backlinks.ts). */
  readonly replaceBacklinks?: boolean
  /** putRecord and deleteRecord: skip a write that changes nothing (and the commit if none is left). */
  readonly dropNoops?: boolean
}

export interface CommitResult {
  /** Null when nothing changed and no commit was made. */
  readonly commit: CommitRef | null
  /** The request's own writes in order (backlink replacements not included). */
  readonly writes: readonly CommittedWrite[]
}

export async function commitWrites(deps: CommitDeps, req: CommitRequest): Promise<CommitResult> {
  const prepared = await deps.blobs.prepareForWrite(req.did, referencedBlobs(req.writes))
  let result: CommitResult
  try {
    result = deps.storage.db.transaction(() => commitInTx(deps, req, prepared))
  } catch (err) {
    throw asRequestError(err, req.did)
  }
  deps.sequencer.afterCommit()
  await deps.blobs.afterCommit(prepared)
  return result
}

function commitInTx(deps: CommitDeps, req: CommitRequest, prepared: PreparedBlobs): CommitResult {
  const { storage } = deps
  const root = storage.roots.get(req.did)
  if (!root) throw new InvalidRequestError(`No repo root found for ${req.did}`)
  const { writes, ownFrom } = resolveWrites(storage, req)
  // Every write was a no-op. (A request with no writes at all still commits: an empty commit.)
  if (writes.length === 0 && req.writes.length > 0) return { commit: null, writes: [] }
  checkSwaps(storage, req.did, root, req.swapCommit, writes)
  const rev = deps.tid.next(root.rev)
  const applied = applyRepoWrites({
    reader: storage.blocks.reader(req.did),
    did: req.did,
    prevCommit: root,
    writes: writes.map(toRepoWrite),
    rev,
    signer: deps.accounts.signingKey(req.did),
  })
  storage.blocks.putMany(req.did, applied.newBlocks.entries(), rev)
  storage.blocks.deleteMany(req.did, applied.removedCids)
  indexWritesInTx(storage, deps.blobs, req.did, writes, applied.ops, rev, prepared)
  storage.roots.set(req.did, { cid: applied.commitCid, data: applied.commit.data, rev })
  deps.sequencer.sequenceCommitInTx(req.did, commitEvent(root, applied))
  const committed = writes.map((write, i) => ({
    action: write.action,
    uri: `at://${req.did}/${write.collection}/${write.rkey}`,
    collection: write.collection,
    rkey: write.rkey,
    cid: applied.ops[i]?.cid ?? null,
    validationStatus: write.action === 'delete' ? undefined : write.validationStatus,
  }))
  return { commit: { cid: applied.commitCid, rev }, writes: committed.slice(ownFrom) }
}

/** The #commit event: the diff blocks plus what a consumer needs to invert the ops. */
export function commitEvent(prev: RepoRoot | null, applied: AppliedWrites): CommitEventInput {
  const blocks = new BlockMap()
  blocks.addAll(applied.newBlocks)
  blocks.addAll(applied.proofBlocks)
  return {
    commit: applied.commitCid,
    rev: applied.commit.rev,
    since: prev?.rev ?? null,
    blocks: encodeCar(applied.commitCid, blocks.entries()),
    ops: applied.ops,
    prevData: prev?.data ?? null,
  }
}

function toRepoWrite(write: ResolvedWrite): RepoWrite {
  if (write.action === 'delete') return write
  return { action: write.action, collection: write.collection, rkey: write.rkey, record: write.record }
}

function referencedBlobs(writes: readonly PreparedWrite[]): CID[] {
  return writes.flatMap((write) => (write.action === 'delete' ? [] : write.blobs.map((ref) => ref.cid)))
}

/** Core's typed errors as the client-facing answers. */
function asRequestError(err: unknown, did: string): unknown {
  if (err instanceof RecordExistsError) {
    return new InvalidRequestError(`Record already exists: at://${did}/${err.path}`, 'InvalidRequest', {
      cause: err,
    })
  }
  if (err instanceof RecordNotFoundError) {
    return new InvalidRequestError(`Record not found: at://${did}/${err.path}`, 'InvalidRequest', {
      cause: err,
    })
  }
  if (err instanceof DuplicateWritePathError) {
    return new InvalidRequestError(`More than one write to at://${did}/${err.path}`, 'InvalidRequest', {
      cause: err,
    })
  }
  return err
}
