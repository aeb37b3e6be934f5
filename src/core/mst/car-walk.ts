/**
 * The streamable CAR block order of a stored MST, walked over raw bytes for repository exports.
 * Spec: repository "Streamable CAR Block Ordering" and "MST Structure".
 *
 * Same order as `walkCarOrder` (walk.ts): each node, then its slots left to right, the left
 * subtree, then each entry's record followed by its right subtree. That walk decodes every node
 * into CID objects and nests a generator per level; a full export spends most of its CPU there. This
 * one reads links as byte ranges of the node (binary CIDs, as the CAR wants them), keeps an explicit
 * stack, and hands blocks to a sink that can pause it, so a caller fills a chunk without a
 * suspension per block.
 * Tricky bits: the fast path (cbor-node.ts) only accepts the canonical node layout with v1
 * sha2-256 links; anything else goes through the strict generic decoder (encode.ts), which also
 * raises the errors.
 * Key depths are not rechecked: the tree was validated when written or imported, and whoever
 * downloads the CAR verifies it. The stack holds at most the pending slots of one node per level.
 */
import { DAG_CBOR_CODEC } from '../cid.ts'
import { asciiString, readCanonicalNodeLinks } from './cbor-node.ts'
import { decodeNodeData } from './encode.ts'

/** Where the walk gets block bytes; both throw when a block is missing. */
export interface CarWalkSource {
  node(cid: Uint8Array): Uint8Array
  /**
   * The record block `cid`, found at `key` (`collection/rkey`) in the tree: a hint for sources
   * that read records in key order; the CID decides which bytes are right.
   */
  record(key: string, cid: Uint8Array): Uint8Array
}

/** Receives each block in order; returning true pauses the walk after this block. */
export type CarWalkSink = (cid: Uint8Array, bytes: Uint8Array) => boolean

export class CarOrderWalk {
  private readonly pending = new PendingBlocks()

  constructor(
    private readonly source: CarWalkSource,
    root: Uint8Array,
  ) {
    this.pending.push(root, null)
  }

  /** Emits blocks until the sink pauses or the tree is done; returns whether blocks remain. */
  run(sink: CarWalkSink): boolean {
    const { pending, source } = this
    const { cids, keys } = pending
    while (cids.length > 0) {
      const cid = cids.pop()!
      const key = keys.pop() as string | null
      if (key !== null) {
        if (sink(cid, source.record(key, cid))) return cids.length > 0
        continue
      }
      const bytes = source.node(cid)
      const pause = sink(cid, bytes)
      const before = cids.length
      if (!pushCanonicalSlots(pending, bytes)) {
        pending.truncate(before)
        pushDecodedSlots(pending, bytes)
      }
      if (pause) return cids.length > 0
    }
    return false
  }
}

/** A stack of blocks still to emit, next on top: binary CIDs, and record keys (null: a node). */
class PendingBlocks {
  readonly cids: Uint8Array[] = []
  readonly keys: (string | null)[] = []

  push(cid: Uint8Array, key: string | null): void {
    this.cids.push(cid)
    this.keys.push(key)
  }

  truncate(size: number): void {
    this.cids.length = size
    this.keys.length = size
  }

  /** Reverses the blocks pushed since the stack had `size` of them, so the first comes out first. */
  reverseFrom(size: number): void {
    reverse(this.cids, size)
    reverse(this.keys, size)
  }
}

function reverse<T>(items: T[], start: number): void {
  for (let i = start, j = items.length - 1; i < j; i++, j--) {
    const item = items[i]!
    items[i] = items[j]!
    items[j] = item
  }
}

/**
 * Node slots go on the stack as the entries' records and right subtrees in order, reversed, then
 * the left subtree on top: that pops them in the CAR order.
 */
function pushDecodedSlots(pending: PendingBlocks, bytes: Uint8Array): void {
  const node = decodeNodeData(bytes)
  const start = pending.cids.length
  for (const entry of node.entries) {
    pending.push(entry.value.bytes, entry.key)
    if (entry.right) pending.push(entry.right.bytes, null)
  }
  pending.reverseFrom(start)
  if (node.left) pending.push(node.left.bytes, null)
}

/**
 * `pushDecodedSlots` for a node in the canonical layout, with its links kept as binary CIDs;
 * false as soon as the bytes depart from that layout or from what the generic decoder would check
 * on the way (prefix lengths in range, keys increasing, subtree links to dag-cbor).
 */
function pushCanonicalSlots(pending: PendingBlocks, bytes: Uint8Array): boolean {
  const node = readCanonicalNodeLinks(bytes)
  if (!node) return false
  const start = pending.cids.length
  let prev = ''
  for (const { p, k, v, t } of node.e) {
    const key = prev.slice(0, p) + asciiString(k)
    if (p > prev.length || (prev !== '' && key <= prev) || (t && !isNodeLink(t))) return false
    pending.push(v, key)
    if (t) pending.push(t, null)
    prev = key
  }
  if (node.l && !isNodeLink(node.l)) return false
  pending.reverseFrom(start)
  if (node.l) pending.push(node.l, null)
  return true
}

/** Subtree links name dag-cbor blocks (the fast path has already checked the v1/sha2-256 form). */
function isNodeLink(cid: Uint8Array): boolean {
  return cid[1] === DAG_CBOR_CODEC
}
