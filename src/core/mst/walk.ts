/**
 * Ordered traversals of an MST: leaves in key order (optionally a range, either direction) and
 * every node for export.
 * Spec: repository "MST Structure" and "Streamable CAR Block Ordering".
 *
 * Walks are lazy generators: they load a subtree only when its key range can still intersect the
 * requested one, and stop loading as soon as the consumer stops. They read stored nodes without
 * caching them, so walking a large repository does not keep it in memory. Keys come out strictly
 * increasing; a stored tree that breaks that order is rejected, which completes the structural
 * checks node decoding cannot do alone.
 */
import type { BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'
import { InvalidMstNodeError } from './errors.ts'
import type { MstNode, NodeRef } from './node.ts'

export interface Leaf {
  readonly key: string
  readonly cid: CID
}

export interface KeyRange {
  /** Only keys strictly greater than this. */
  readonly after?: string
  /** Only keys strictly less than this. */
  readonly before?: string
  /** Only keys starting with this. */
  readonly prefix?: string
}

export function* walkLeaves(
  reader: BlockReader,
  root: MstNode,
  range: KeyRange = {},
  reverse = false,
): Generator<Leaf> {
  let last: string | undefined
  for (const leaf of walkNode(reader, root, range, reverse)) {
    if (last !== undefined && (reverse ? leaf.key >= last : leaf.key <= last)) {
      throw new InvalidMstNodeError(`MST keys out of order around ${leaf.key}`)
    }
    last = leaf.key
    yield leaf
  }
}

function* walkNode(reader: BlockReader, node: MstNode, range: KeyRange, reverse: boolean): Generator<Leaf> {
  const n = node.entries.length
  for (let step = 0; step <= 2 * n; step++) {
    const slot = reverse ? 2 * n - step : step
    const gap = slot >> 1
    if (slot % 2 === 1) {
      const entry = node.entries[gap]!
      if (inRange(entry.key, range)) yield { key: entry.key, cid: entry.value }
      continue
    }
    const child = node.child(gap)
    const floor = gap > 0 ? node.entries[gap - 1]!.key : undefined
    const ceiling = gap < n ? node.entries[gap]!.key : undefined
    if (child && gapIntersects(floor, ceiling, range)) {
      yield* walkNode(reader, child.read(reader, node.height - 1), range, reverse)
    }
  }
}

function inRange(key: string, range: KeyRange): boolean {
  if (range.after !== undefined && key <= range.after) return false
  if (range.before !== undefined && key >= range.before) return false
  return range.prefix === undefined || key.startsWith(range.prefix)
}

/** Whether keys strictly between `floor` and `ceiling` can be in the range. */
function gapIntersects(floor: string | undefined, ceiling: string | undefined, range: KeyRange): boolean {
  if (ceiling !== undefined) {
    if (range.after !== undefined && ceiling <= range.after) return false
    // Every key starting with the prefix sorts at or after the prefix itself.
    if (range.prefix !== undefined && ceiling <= range.prefix) return false
  }
  if (floor !== undefined) {
    if (range.before !== undefined && floor >= range.before) return false
    if (range.prefix !== undefined && floor > range.prefix && !floor.startsWith(range.prefix)) return false
  }
  return true
}

/** Every node of the tree in pre-order, with its CID. */
export function* walkNodes(reader: BlockReader, ref: NodeRef, height: number | null): Generator<NodeRef> {
  yield ref
  const node = ref.read(reader, height)
  for (let gap = 0; gap <= node.entries.length; gap++) {
    const child = node.child(gap)
    if (child) yield* walkNodes(reader, child, node.height - 1)
  }
}
