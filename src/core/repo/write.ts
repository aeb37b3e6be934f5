/**
 * The one write path of a repository: apply record writes to the MST, sign a new commit, and
 * return every block and fact the store and the firehose need.
 * Spec: repository "Commit Objects" and "Repository Diffs"; sync "#commit Events" (ops,
 * prevData, inversion).
 *
 * Each record is encoded once. The tree is updated incrementally over the reader, so a commit
 * costs O(log n) node loads per write. The inversion proof is computed by actually inverting the
 * operations against the new tree, and the commit is refused (MstInversionError) unless that
 * arrives at the previous tree: a broken tree can never be published.
 * Writes to a missing record (update, delete) throw RecordNotFoundError; a service that wants an
 * idempotent delete checks first and skips the write.
 */
import { BlockMap, type BlockReader } from '../block-reader.ts'
import { encodeBlock } from '../cbor.ts'
import type { CID } from '../cid.ts'
import { commitProof, ensureValidMstKey, Mst, MstInversionError, overlayReader } from '../mst/index.ts'
import { type Commit, type CommitSigner, encodeCommit, signCommit } from './commit.ts'
import { DuplicateWritePathError, RecordExistsError, RecordNotFoundError, StaleRevError } from './errors.ts'

export type RepoWrite =
  | {
      readonly action: 'create' | 'update'
      readonly collection: string
      readonly rkey: string
      readonly record: unknown
    }
  | { readonly action: 'delete'; readonly collection: string; readonly rkey: string }

export interface RepoOp {
  readonly action: 'create' | 'update' | 'delete'
  /** `collection/rkey`. */
  readonly path: string
  /** The new record (null for a delete). */
  readonly cid: CID | null
  /** The replaced record (null for a create). */
  readonly prev: CID | null
}

export interface ApplyWritesInput {
  readonly reader: BlockReader
  readonly did: string
  /** The current commit; null for the first commit of a repository. */
  readonly prevCommit: { readonly cid: CID; readonly data: CID; readonly rev: string } | null
  readonly writes: readonly RepoWrite[]
  /** Must sort after `prevCommit.rev`. */
  readonly rev: string
  readonly signer: CommitSigner
}

export interface AppliedWrites {
  readonly commitCid: CID
  readonly commit: Commit
  readonly commitBytes: Uint8Array
  /** The commit, the MST nodes not in the previous tree and the written records. */
  readonly newBlocks: BlockMap
  /**
   * The previous commit and the MST nodes dropped from the tree. Record blocks are not listed:
   * one block may back several paths, so the caller decides from `ops[].prev`.
   */
  readonly removedCids: CID[]
  /** One per write, in write order. */
  readonly ops: RepoOp[]
  /** The previous tree root (the firehose's `prevData`). */
  readonly prevData: CID | null
  /** MST nodes a verifier needs to invert `ops` (ship them with `newBlocks`). */
  readonly proofBlocks: BlockMap
}

export function applyRepoWrites(input: ApplyWritesInput): AppliedWrites {
  const { reader, did, prevCommit, rev, signer } = input
  if (prevCommit && rev <= prevCommit.rev) throw new StaleRevError(rev, prevCommit.rev)
  const before = prevCommit ? Mst.load(reader, prevCommit.data) : null
  const records = new BlockMap()
  const { tree, ops } = applyToTree(before ?? Mst.create(reader), input.writes, records)
  const data = tree.rootCid()
  const changes = tree.diffFrom(before)
  const proofBlocks = proveInversion(overlayReader(changes.newBlocks, reader), data, ops, prevCommit?.data)
  const commit = signCommit({ did, version: 3, data, rev, prev: null }, signer)
  const { cid: commitCid, bytes: commitBytes } = encodeCommit(commit)
  const newBlocks = changes.newBlocks
  newBlocks.addAll(records)
  newBlocks.set(commitCid, commitBytes)
  const removedCids = prevCommit ? [prevCommit.cid, ...changes.removedCids] : changes.removedCids
  return {
    commitCid,
    commit,
    commitBytes,
    newBlocks,
    removedCids,
    ops,
    prevData: prevCommit?.data ?? null,
    proofBlocks,
  }
}

function applyToTree(
  start: Mst,
  writes: readonly RepoWrite[],
  records: BlockMap,
): { tree: Mst; ops: RepoOp[] } {
  let tree = start
  const ops: RepoOp[] = []
  const paths = new Set<string>()
  for (const write of writes) {
    const path = `${write.collection}/${write.rkey}`
    ensureValidMstKey(path)
    if (paths.has(path)) throw new DuplicateWritePathError(path)
    paths.add(path)
    const prev = tree.get(path)
    if (write.action === 'delete') {
      if (!prev) throw new RecordNotFoundError(path)
      tree = tree.delete(path)
      ops.push({ action: 'delete', path, cid: null, prev })
      continue
    }
    if (write.action === 'create' && prev) throw new RecordExistsError(path)
    if (write.action === 'update' && !prev) throw new RecordNotFoundError(path)
    const { cid, bytes } = encodeBlock(write.record)
    records.set(cid, bytes)
    tree = prev ? tree.update(path, cid) : tree.add(path, cid)
    ops.push({ action: write.action, path, cid, prev })
  }
  return { tree, ops }
}

/** Inverts the ops against the new tree; the result must be the previous tree (or empty). */
function proveInversion(reader: BlockReader, data: CID, ops: RepoOp[], prevData: CID | undefined): BlockMap {
  const proof = commitProof(
    reader,
    data,
    ops.map((op) => ({ action: op.action, key: op.path, cid: op.cid, prev: op.prev })),
  )
  const expected = prevData ?? Mst.create(reader).rootCid()
  if (!proof.invertedRoot.equals(expected)) {
    throw new MstInversionError(
      `commit ops do not invert to the previous tree (${proof.invertedRoot} != ${expected})`,
    )
  }
  return proof.blocks
}
