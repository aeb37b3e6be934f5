/**
 * Differences between two MSTs: record operations, nodes only in the new tree, nodes only in the
 * old one.
 * Spec: repository "Repository Diffs".
 *
 * Both trees are walked in key order side by side. Subtrees with the same CID hold the same keys
 * and are skipped without loading; otherwise the cursor on a subtree steps into it (the taller
 * one first when heights differ) until two leaves can be compared. A node stepped into on one
 * side may still exist on the other side further on, so node sets are netted at the end.
 */
import { BlockMap, type BlockReader } from '../block-reader.ts'
import { type CID, cidKey } from '../cid.ts'
import { MstCursor } from './cursor.ts'
import type { NodeRef } from './node.ts'

export type DiffAction = 'create' | 'update' | 'delete'

export interface MstOp {
  readonly action: DiffAction
  readonly key: string
  /** The value after the operation (null for a delete). */
  readonly cid: CID | null
  /** The value before the operation (null for a create). */
  readonly prev: CID | null
}

export interface MstDiff {
  /** Record operations in key order. */
  readonly ops: MstOp[]
  /** Nodes of the new tree that are not in the old tree. */
  readonly newBlocks: BlockMap
  /** Nodes of the old tree that are not in the new tree. */
  readonly removedCids: CID[]
}

/** Diffs two trees given by their root refs (`before` null: everything in `after` is new). */
export function diffTrees(reader: BlockReader, before: NodeRef | null, after: NodeRef): MstDiff {
  const ops: MstOp[] = []
  const added = new Map<string, NodeRef>()
  const removed = new Map<string, NodeRef>()
  const left = new MstCursor(reader, before, (ref) => removed.set(cidKey(ref.cid()), ref))
  const right = new MstCursor(reader, after, (ref) => added.set(cidKey(ref.cid()), ref))
  while (!left.done || !right.done) {
    const l = left.current
    const r = right.current
    if (!l) {
      if (r!.leaf) ops.push({ action: 'create', key: r!.leaf.key, cid: r!.leaf.value, prev: null })
      right.next()
    } else if (!r) {
      if (l.leaf) ops.push({ action: 'delete', key: l.leaf.key, cid: null, prev: l.leaf.value })
      left.next()
    } else if (l.leaf && r.leaf) {
      compareLeaves(ops, left, right)
    } else if (l.tree && r.tree && l.tree.cid().equals(r.tree.cid())) {
      left.skip()
      right.skip()
    } else if (l.tree && (!r.tree || l.height >= r.height)) {
      left.next()
      if (r.tree && l.height === r.height) right.next()
    } else {
      right.next()
    }
  }
  return net(reader, ops, added, removed)
}

function compareLeaves(ops: MstOp[], left: MstCursor, right: MstCursor): void {
  const l = left.current!.leaf!
  const r = right.current!.leaf!
  if (l.key === r.key) {
    if (!l.value.equals(r.value)) ops.push({ action: 'update', key: l.key, cid: r.value, prev: l.value })
    left.next()
    right.next()
  } else if (l.key < r.key) {
    ops.push({ action: 'delete', key: l.key, cid: null, prev: l.value })
    left.next()
  } else {
    ops.push({ action: 'create', key: r.key, cid: r.value, prev: null })
    right.next()
  }
}

function net(
  reader: BlockReader,
  ops: MstOp[],
  added: Map<string, NodeRef>,
  removed: Map<string, NodeRef>,
): MstDiff {
  const newBlocks = new BlockMap()
  const removedCids: CID[] = []
  for (const [key, ref] of added) if (!removed.has(key)) newBlocks.set(ref.cid(), ref.bytes(reader))
  for (const [key, ref] of removed) if (!added.has(key)) removedCids.push(ref.cid())
  return { ops, newBlocks, removedCids }
}
