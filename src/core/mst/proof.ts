/**
 * Proofs over an MST: the path to one key (for `sync.getRecord`), and commit "inversion" proofs
 * (sync v1.1) with the matching verifier.
 * Spec: repository "Repository Diffs" (operation inversion) and sync "Reliable Repository
 * Synchronization".
 *
 * Which nodes a commit must carry is defined by use ("those necessary for the inversion"). We ship
 * what the reference PDS ships and the interop fixtures encode: for each operation's key, its
 * *covering proof* in the new tree, i.e. the path to the key plus, when the key is present, the
 * inner spines of its two neighbouring subtrees down to the bottom (the paths to the adjacent
 * keys), or, when absent, the path through its gap to the bottom. On top of that the prover runs
 * the inversion itself over the same recording reader, so whatever else it reads joins the set
 * (tests show it never does): the result suffices for our own verifier by construction, and the
 * run checks that the operations really lead back to the previous tree. Inverse operations are
 * applied last-first.
 */
import type { BlockMap, BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'
import type { MstOp } from './diff.ts'
import { MstInversionError } from './errors.ts'
import { lookupKey, pathToKey } from './get.ts'
import { insertKey } from './insert.ts'
import { ensureValidMstKey } from './key.ts'
import { type MstNode, NodeRef } from './node.ts'
import { recordingReader } from './readers.ts'
import { removeKey, updateKey } from './remove.ts'

/** The nodes from the root to `key`'s entry, or to the empty gap proving its absence. */
export function proveKey(reader: BlockReader, root: CID, key: string): BlockMap {
  const recording = recordingReader(reader)
  pathToKey(recording, NodeRef.stored(root).load(recording, null), key)
  return recording.blocks
}

/**
 * Applies the inverse of `ops` to the tree at `newRoot` and returns the resulting root, which
 * must equal the previous commit's `data`. Throws MstInversionError when an operation does not
 * match the tree (and MissingBlockError when the reader lacks a needed node).
 */
export function invertOps(reader: BlockReader, newRoot: CID, ops: readonly MstOp[]): CID {
  return invertFrom(reader, NodeRef.stored(newRoot), ops).cid()
}

function invertFrom(reader: BlockReader, root: NodeRef, ops: readonly MstOp[]): NodeRef {
  let ref = root
  for (let i = ops.length - 1; i >= 0; i--) ref = invertOp(reader, ref.load(reader, null), ops[i]!)
  return ref
}

function invertOp(reader: BlockReader, root: MstNode, op: MstOp): NodeRef {
  const current = lookupKey(reader, root, op.key)
  const mismatch = (what: string) => new MstInversionError(`cannot invert ${op.action} of ${op.key}: ${what}`)
  if (op.action === 'delete') {
    if (current) throw mismatch('the key is still present')
    if (!op.prev) throw mismatch('no previous value')
    ensureValidMstKey(op.key)
    return NodeRef.fresh(insertKey(reader, root, op.key, op.prev))
  }
  if (!current || !op.cid || !current.equals(op.cid)) throw mismatch('the tree does not hold the new value')
  if (op.action === 'create') return removeKey(reader, root, op.key)
  if (!op.prev) throw mismatch('no previous value')
  return NodeRef.fresh(updateKey(reader, root, op.key, op.prev))
}

export interface CommitProof {
  /** The MST nodes a verifier needs to invert the operations (new root included). */
  readonly blocks: BlockMap
  /** The root the inversion arrived at (the previous `data`, when the ops are honest). */
  readonly invertedRoot: CID
}

/** Computes the inversion proof for `ops` applied to reach `newRoot`. */
export function commitProof(reader: BlockReader, newRoot: CID, ops: readonly MstOp[]): CommitProof {
  // One set of refs for both passes: the inversion reuses what the covering pass decoded, and
  // anything more it needs is read (and so recorded) through the same reader.
  const recording = recordingReader(reader)
  const root = NodeRef.stored(newRoot)
  const top = root.load(recording, null)
  for (const op of ops) coverKey(recording, top, op.key)
  const invertedRoot = invertFrom(recording, root, ops).cid()
  return { blocks: recording.blocks, invertedRoot }
}

/** Loads the covering proof of `key` through `reader`: its path and its neighbours' paths. */
function coverKey(reader: BlockReader, root: MstNode, key: string): void {
  const path = pathToKey(reader, root, key)
  const node = path[path.length - 1]!
  const gap = node.lowerBound(key)
  const entry = node.entries[gap]
  if (entry?.key !== key) return
  descendSpine(reader, node.child(gap), node.height - 1, 'right')
  descendSpine(reader, entry.right, node.height - 1, 'left')
}

/** Loads a subtree's outermost nodes on one side, down to the bottom. */
function descendSpine(
  reader: BlockReader,
  top: NodeRef | null,
  height: number,
  side: 'left' | 'right',
): void {
  let ref = top
  for (let h = height; ref; h--) {
    const node = ref.load(reader, h)
    ref = side === 'left' ? node.left : node.child(node.entries.length)
  }
}
