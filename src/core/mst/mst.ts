/**
 * `Mst`: a persistent, lazily loaded Merkle Search Tree over a synchronous BlockReader.
 * Spec: repository "Repository Data Structure" and "MST Structure".
 *
 * Every mutation returns a new `Mst` and leaves the receiver valid; versions share unchanged
 * subtrees. A mutation loads only the nodes on its path (plus the spines it splits or merges) and
 * builds only the replacement nodes, which are encoded when the root CID is first needed.
 * `newBlocks()` hands back exactly the encoded nodes reachable from the root that did not come
 * from the reader, i.e. what a store must add to hold this version.
 */
import { BlockMap, type BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'
import { diffTrees, type MstDiff } from './diff.ts'
import { lookupKey } from './get.ts'
import { insertKey } from './insert.ts'
import { ensureValidMstKey } from './key.ts'
import { MstNode, NodeRef } from './node.ts'
import { removeKey, updateKey } from './remove.ts'
import { type KeyRange, type Leaf, walkLeaves, walkNodes } from './walk.ts'

export interface ListOptions extends KeyRange {
  readonly limit?: number
  /** Walk from the highest key down. */
  readonly reverse?: boolean
}

export class Mst {
  private constructor(
    readonly reader: BlockReader,
    private readonly root: NodeRef,
  ) {}

  /** An empty tree. */
  static create(reader: BlockReader): Mst {
    return new Mst(reader, NodeRef.fresh(new MstNode(0, null, [])))
  }

  /** The tree rooted at `root`; nothing is read until an operation needs it. */
  static load(reader: BlockReader, root: CID): Mst {
    return new Mst(reader, NodeRef.stored(root))
  }

  private top(): MstNode {
    return this.root.load(this.reader, null)
  }

  isEmpty(): boolean {
    return this.top().isEmpty
  }

  get(key: string): CID | null {
    return lookupKey(this.reader, this.top(), key)
  }

  /** Adds a key; throws InvalidMstKeyError for a bad key, MstKeyExistsError when present. */
  add(key: string, value: CID): Mst {
    ensureValidMstKey(key)
    return new Mst(this.reader, NodeRef.fresh(insertKey(this.reader, this.top(), key, value)))
  }

  /** Changes a key's value; throws MstKeyNotFoundError when absent. */
  update(key: string, value: CID): Mst {
    return new Mst(this.reader, NodeRef.fresh(updateKey(this.reader, this.top(), key, value)))
  }

  /** Removes a key; throws MstKeyNotFoundError when absent. */
  delete(key: string): Mst {
    return new Mst(this.reader, removeKey(this.reader, this.top(), key))
  }

  rootCid(): CID {
    return this.root.cid()
  }

  /** Encoded nodes reachable from the root that were built in memory rather than read. */
  newBlocks(): BlockMap {
    const blocks = new BlockMap()
    const visit = (ref: NodeRef | null): void => {
      if (!ref?.fresh) return
      blocks.set(ref.cid(), ref.bytes(this.reader))
      const node = ref.load(this.reader, null)
      for (let gap = 0; gap <= node.entries.length; gap++) visit(node.child(gap))
    }
    visit(this.root)
    return blocks
  }

  /** Record operations and node changes from `before` (null: an empty history) to this tree. */
  diffFrom(before: Mst | null): MstDiff {
    return diffTrees(this.reader, before?.root ?? null, this.root)
  }

  /** Leaves in key order (or reversed), filtered by range, at most `limit`. */
  list(options: ListOptions = {}): Leaf[] {
    const out: Leaf[] = []
    const limit = options.limit ?? Number.POSITIVE_INFINITY
    if (limit <= 0) return out
    for (const leaf of walkLeaves(this.reader, this.top(), options, options.reverse ?? false)) {
      out.push(leaf)
      if (out.length >= limit) break
    }
    return out
  }

  /** Every leaf in key order, lazily. */
  walkLeaves(range: KeyRange = {}): Generator<Leaf> {
    return walkLeaves(this.reader, this.top(), range)
  }

  /** Every node CID in pre-order (for exports). */
  *allNodeCids(): Generator<CID> {
    for (const ref of walkNodes(this.reader, this.root, null)) yield ref.cid()
  }
}

/** Record operations and node changes between two roots (`oldRoot` null: all of `newRoot` is new). */
export function diff(reader: BlockReader, oldRoot: CID | null, newRoot: CID): MstDiff {
  return Mst.load(reader, newRoot).diffFrom(oldRoot ? Mst.load(reader, oldRoot) : null)
}
