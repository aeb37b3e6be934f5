/**
 * Point lookups in an MST.
 * Spec: repository "MST Structure".
 *
 * A key can only sit in the node at its own height, so a lookup stops there (or at an empty gap)
 * and never loads nodes below it. Proof paths (`pathToKey`) instead follow the gap down to the
 * bottom of the tree, the way verifiers that do not compute key heights walk a partial tree.
 */
import type { BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'
import { keyHeight } from './key.ts'
import type { MstNode } from './node.ts'

export function lookupKey(reader: BlockReader, root: MstNode, key: string): CID | null {
  const height = keyHeight(key)
  let node = root
  while (height <= node.height) {
    const gap = node.lowerBound(key)
    const entry = node.entries[gap]
    if (entry?.key === key) return entry.value
    const child = height < node.height ? node.child(gap) : null
    if (!child) return null
    node = child.load(reader, node.height - 1)
  }
  return null
}

/** Loads every node from the root down to the entry for `key`, or to the empty gap where it would be. */
export function pathToKey(reader: BlockReader, root: MstNode, key: string): MstNode[] {
  const path = [root]
  let node = root
  for (;;) {
    const gap = node.lowerBound(key)
    if (node.entries[gap]?.key === key) return path
    const child = node.child(gap)
    if (!child) return path
    node = child.load(reader, node.height - 1)
    path.push(node)
  }
}
