/**
 * Inserting a key into an MST.
 * Spec: repository "MST Structure" (the tree shape is a function of the key set alone).
 *
 * A key lives in the node at its own height. Walking down, we either reach that node and place
 * the key in its gap, or find the gap empty and hang a new leaf there under a chain of empty
 * intermediate nodes (links never skip a level). Placing a key inside a node cuts the subtree of
 * that gap in two around the key, recursively down its spine; a key taller than the root cuts the
 * whole tree and becomes the new root. Only the nodes on the path and the cut spine are loaded;
 * a side of a cut that keeps all its keys is shared unchanged.
 */
import type { BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'
import { MstKeyExistsError } from './errors.ts'
import { keyHeight } from './key.ts'
import { MstNode, NodeRef } from './node.ts'

type Halves = [NodeRef | null, NodeRef | null]

/** Returns the new root; throws MstKeyExistsError when the key is present. */
export function insertKey(reader: BlockReader, root: MstNode, key: string, value: CID): MstNode {
  const height = keyHeight(key)
  if (root.isEmpty) return new MstNode(height, null, [{ key, value, right: null }])
  if (height <= root.height) return insertInto(reader, root, key, value, height)
  const [below, above] = splitNode(reader, root, key)
  const lift = (half: MstNode | null) => raise(half && NodeRef.fresh(half), root.height, height - 1)
  return new MstNode(height, lift(below), [{ key, value, right: lift(above) }])
}

function insertInto(reader: BlockReader, node: MstNode, key: string, value: CID, height: number): MstNode {
  const gap = node.lowerBound(key)
  if (node.entries[gap]?.key === key) throw new MstKeyExistsError(key)
  const child = node.child(gap)
  if (height < node.height) {
    const replaced = child
      ? NodeRef.fresh(insertInto(reader, child.load(reader, node.height - 1), key, value, height))
      : raise(
          NodeRef.fresh(new MstNode(height, null, [{ key, value, right: null }])),
          height,
          node.height - 1,
        )
    return node.withChild(gap, replaced)
  }
  const [below, above] = splitRef(reader, child, key, node.height - 1)
  const entries = node.entries.slice()
  entries.splice(gap, 0, { key, value, right: above })
  const withKey = new MstNode(node.height, node.left, entries)
  return withKey.withChild(gap, below)
}

/** Wraps a subtree in empty nodes until its top is at `to`. */
function raise(ref: NodeRef | null, from: number, to: number): NodeRef | null {
  let current = ref
  for (let h = from + 1; current && h <= to; h++) current = NodeRef.fresh(new MstNode(h, current, []))
  return current
}

function splitRef(reader: BlockReader, ref: NodeRef | null, key: string, height: number): Halves {
  if (!ref) return [null, null]
  const node = ref.load(reader, height)
  const [below, above] = splitNode(reader, node, key)
  // A side that kept every key is the original node: share it instead of re-encoding a copy.
  const wrap = (half: MstNode | null) => (half === node ? ref : half && NodeRef.fresh(half))
  return [wrap(below), wrap(above)]
}

/** Cuts a node (and its subtree) into the keys below and above `key`, which it must not hold. */
function splitNode(reader: BlockReader, node: MstNode, key: string): [MstNode | null, MstNode | null] {
  const gap = node.lowerBound(key)
  const child = node.child(gap)
  const [below, above] = splitRef(reader, child, key, node.height - 1)
  const n = node.entries.length
  if (gap === n && below === child) return [node, null]
  if (gap === 0 && above === child) return [null, node]
  const low =
    gap === 0
      ? below && new MstNode(node.height, below, [])
      : new MstNode(node.height, node.left, node.entries.slice(0, gap)).withChild(gap, below)
  const high =
    gap === n
      ? above && new MstNode(node.height, above, [])
      : new MstNode(node.height, above, node.entries.slice(gap))
  return [low, high]
}
