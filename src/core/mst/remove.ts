/**
 * Removing a key from an MST, and updating a key's value in place.
 * Spec: repository "MST Structure".
 *
 * Removing an entry leaves its two neighbouring subtrees side by side; they are merged by joining
 * the right spine of the left one with the left spine of the right one, level by level, which
 * loads exactly those spines. A subtree emptied by the removal is dropped, and the root is
 * trimmed while it is an empty node pointing to a single subtree (the top of a tree must hold
 * keys), so the result has the same shape as a tree built from the remaining keys.
 */
import type { BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'
import { MstKeyNotFoundError } from './errors.ts'
import { keyHeight } from './key.ts'
import { MstNode, NodeRef } from './node.ts'

/**
 * Returns a ref to the new root (possibly the empty node, possibly a stored subtree that became
 * the top); throws MstKeyNotFoundError when the key is absent.
 */
export function removeKey(reader: BlockReader, root: MstNode, key: string): NodeRef {
  const height = keyHeight(key)
  if (root.isEmpty || height > root.height) throw new MstKeyNotFoundError(key)
  let node = removeFrom(reader, root, key, height)
  let ref = NodeRef.fresh(node)
  while (node.entries.length === 0 && node.left) {
    ref = node.left
    node = ref.load(reader, node.height - 1)
  }
  return ref
}

function removeFrom(reader: BlockReader, node: MstNode, key: string, height: number): MstNode {
  const gap = node.lowerBound(key)
  if (height === node.height) {
    const entry = node.entries[gap]
    if (entry?.key !== key) throw new MstKeyNotFoundError(key)
    const merged = mergeRefs(reader, node.child(gap), entry.right, node.height - 1)
    const entries = node.entries.slice()
    entries.splice(gap, 1)
    return new MstNode(node.height, node.left, entries).withChild(gap, merged)
  }
  const child = node.child(gap)
  if (!child) throw new MstKeyNotFoundError(key)
  const replaced = removeFrom(reader, child.load(reader, node.height - 1), key, height)
  return node.withChild(gap, replaced.isEmpty ? null : NodeRef.fresh(replaced))
}

/** Joins two adjacent subtrees of the same height (every key of `a` sorts before `b`'s). */
function mergeRefs(
  reader: BlockReader,
  a: NodeRef | null,
  b: NodeRef | null,
  height: number,
): NodeRef | null {
  if (!a) return b
  if (!b) return a
  const low = a.load(reader, height)
  const high = b.load(reader, height)
  const seam = mergeRefs(reader, low.child(low.entries.length), high.left, height - 1)
  const joined = new MstNode(height, low.left, [...low.entries, ...high.entries])
  return NodeRef.fresh(joined.withChild(low.entries.length, seam))
}

/** Returns the new root with `key` mapped to `value`; throws MstKeyNotFoundError when absent. */
export function updateKey(reader: BlockReader, root: MstNode, key: string, value: CID): MstNode {
  const height = keyHeight(key)
  if (root.isEmpty || height > root.height) throw new MstKeyNotFoundError(key)
  return updateIn(reader, root, key, value, height)
}

function updateIn(reader: BlockReader, node: MstNode, key: string, value: CID, height: number): MstNode {
  const gap = node.lowerBound(key)
  if (height === node.height) {
    const entry = node.entries[gap]
    if (entry?.key !== key) throw new MstKeyNotFoundError(key)
    const entries = node.entries.slice()
    entries[gap] = { ...entry, value }
    return new MstNode(node.height, node.left, entries)
  }
  const child = node.child(gap)
  if (!child) throw new MstKeyNotFoundError(key)
  return node.withChild(
    gap,
    NodeRef.fresh(updateIn(reader, child.load(reader, node.height - 1), key, value, height)),
  )
}
