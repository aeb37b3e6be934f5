/**
 * A repository's first commit and its removal, both inside the caller's transaction (account
 * creation and deletion run them together with the account rows), and the #sync event for a
 * repository whose state subscribers should re-fetch (activation, import).
 */

import { readBlock } from '../../core/block-reader.ts'
import { encodeCar } from '../../core/car.ts'
import type { Keypair } from '../../core/crypto/keypair.ts'
import { applyRepoWrites } from '../../core/repo/index.ts'
import type { TidClock } from '../../core/tid-clock.ts'
import type { RepoStorage } from '../../storage/repo/index.ts'
import type { BlobService } from '../blobs/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { Sequencer } from '../sequencer/index.ts'
import { commitEvent } from './commit.ts'
import type { CommitRef } from './types.ts'

export interface LifecycleDeps {
  readonly storage: RepoStorage
  readonly sequencer: Sequencer
  readonly blobs: BlobService
  readonly tid: TidClock
}

export interface CreateRepoOptions {
  /** Sequence the #commit and #sync events (default). A deactivated (migrating) account skips them. */
  readonly sequence?: boolean
}

/** Writes the first commit (an empty tree) and, unless told otherwise, its #commit and #sync events. */
export function createRepoInTx(
  deps: LifecycleDeps,
  did: string,
  keypair: Keypair,
  opts: CreateRepoOptions = {},
): CommitRef {
  const { storage } = deps
  if (storage.roots.get(did)) throw new InvalidRequestError(`Repo already exists: ${did}`)
  const rev = deps.tid.next()
  const applied = applyRepoWrites({
    reader: storage.blocks.reader(did),
    did,
    prevCommit: null,
    writes: [],
    rev,
    signer: keypair,
  })
  storage.blocks.putMany(did, applied.newBlocks.entries(), rev)
  storage.roots.set(did, { cid: applied.commitCid, data: applied.commit.data, rev })
  if (opts.sequence !== false) {
    deps.sequencer.sequenceCommitInTx(did, commitEvent(null, applied))
    sequenceSyncInTx(deps, did)
  }
  return { cid: applied.commitCid, rev }
}

/** Removes every block, record, blob and preference of the account; blob files go after commit. */
export function deleteRepoInTx(deps: LifecycleDeps, did: string): void {
  const { storage } = deps
  storage.blocks.deleteAll(did)
  storage.records.deleteAll(did)
  storage.recordBlobs.deleteAll(did)
  storage.backlinks.deleteAll(did)
  storage.roots.delete(did)
  storage.preferences.deleteAll(did)
  deps.blobs.deleteAccountBlobsInTx(did)
}

/** Sequences a #sync event for the repository's current commit. */
export function sequenceSyncInTx(deps: LifecycleDeps, did: string): number {
  const root = deps.storage.roots.get(did)
  if (!root) throw new InvalidRequestError(`No repo root found for ${did}`)
  const bytes = readBlock(deps.storage.blocks.reader(did), root.cid)
  return deps.sequencer.sequenceSyncInTx(did, {
    rev: root.rev,
    blocks: encodeCar(root.cid, [{ cid: root.cid, bytes }]),
  })
}
