/**
 * Checks of our repositories and events with the official implementation on the other side:
 * `@atproto/repo` verifies an exported CAR (commit signature with the account key, MST
 * structure, every record present), and inverts a #commit event's ops over its own blocks.
 */
import { parseCid as theirCid } from '@atproto/lex-data'
import { MemoryBlockstore, MST, readCarWithRoot, verifyRepoCar } from '@atproto/repo'
import { decodeCbor } from '../../src/core/cbor.ts'
import type { CID } from '../../src/core/cid.ts'
import type { RepoServices } from '../../src/services/repo/index.ts'
import { exportCar, type TestAccount } from './repo-env.ts'

export interface VerifiedExport {
  /** `collection/rkey` → record CID string, from the official verifier. */
  records: Map<string, string>
  rev: string
  commitCid: string
}

/** Exports the repo and verifies it with @atproto/repo; throws when verification fails. */
export async function verifyExport(
  env: RepoServices,
  did: string,
  signingDidKey: string,
): Promise<VerifiedExport> {
  const car = await exportCar(env, did)
  const verified = await verifyRepoCar(car, did, signingDidKey)
  const records = new Map<string, string>()
  for (const claim of verified.creates) records.set(`${claim.collection}/${claim.rkey}`, claim.cid.toString())
  const { root } = await readCarWithRoot(car)
  return { records, rev: verified.commit.rev, commitCid: root.toString() }
}

/** verifyExport for a test account, with its own signing key. */
export function verifyAccountExport(env: RepoServices, account: Pick<TestAccount, 'did' | 'keypair'>) {
  return verifyExport(env, account.did, account.keypair.did())
}

interface CommitOp {
  action: 'create' | 'update' | 'delete'
  path: string
  cid: CID | null
  prev?: CID
}

export interface CommitEventBody {
  seq: number
  repo: string
  rev: string
  since: string | null
  commit: CID
  blocks: Uint8Array
  ops: CommitOp[]
  prevData?: CID
  rebase: boolean
  tooBig: boolean
  blobs: unknown[]
  time: string
}

/**
 * Inverts the event's ops with @atproto/repo's MST over the event's blocks alone and returns the
 * resulting root; it must equal `prevData` (or the empty tree's root for a first commit).
 */
export async function invertCommitEvent(
  eventBytes: Uint8Array,
): Promise<{ body: CommitEventBody; invertedRoot: string }> {
  const body = decodeCbor(eventBytes) as CommitEventBody
  const { root, blocks } = await readCarWithRoot(body.blocks)
  const storage = new MemoryBlockstore(blocks)
  const commit = decodeCbor(blocks.get(root)!) as { data: CID }
  let tree = MST.load(storage, theirCid(commit.data.toString()))
  for (const op of [...body.ops].reverse()) {
    if (op.action === 'create') tree = await tree.delete(op.path)
    else if (op.action === 'update') tree = await tree.update(op.path, theirCid(op.prev!.toString()))
    else tree = await tree.add(op.path, theirCid(op.prev!.toString()))
  }
  return { body, invertedRoot: (await tree.getPointer()).toString() }
}
