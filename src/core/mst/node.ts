/**
 * In-memory MST nodes and the references between them.
 * Spec: repository "MST Structure".
 *
 * Nodes are immutable; an operation copies the nodes on its path and shares everything else by
 * reference, so every version of a tree stays valid. A `NodeRef` is either *stored* (known by CID,
 * decoded from the block reader on first use) or *fresh* (built in memory, encoded only when its
 * CID is first asked for). Heights are not stored on the wire: a node's height is its parent's
 * minus one, and the root's comes from its first key. Loading checks every key's depth against
 * that height, which is the structural check the spec asks for on every parse.
 */
import { type BlockReader, readBlock } from '../block-reader.ts'
import { type CID, cidForCbor } from '../cid.ts'
import { decodeNodeData, encodeNodeData, type WireNode } from './encode.ts'
import { InvalidMstNodeError } from './errors.ts'
import { keyHeight } from './key.ts'

export interface MstEntry {
  readonly key: string
  readonly value: CID
  /** Subtree with the keys between this entry and the next one. */
  readonly right: NodeRef | null
}

export class MstNode {
  constructor(
    readonly height: number,
    /** Subtree with the keys before the first entry. */
    readonly left: NodeRef | null,
    readonly entries: readonly MstEntry[],
  ) {}

  /** The whole tree is empty (only valid as a root). */
  get isEmpty(): boolean {
    return this.entries.length === 0 && this.left === null
  }

  /** Index of the first entry whose key is >= `key`; also the gap `key` falls into. */
  lowerBound(key: string): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.entries[mid]!.key < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The subtree in gap `i`: left of entry `i` (gap `entries.length` is right of the last entry). */
  child(i: number): NodeRef | null {
    return i === 0 ? this.left : this.entries[i - 1]!.right
  }

  /** A copy with the subtree in gap `i` replaced. */
  withChild(i: number, ref: NodeRef | null): MstNode {
    if (i === 0) return new MstNode(this.height, ref, this.entries)
    const entries = this.entries.slice()
    entries[i - 1] = { ...entries[i - 1]!, right: ref }
    return new MstNode(this.height, this.left, entries)
  }
}

export class NodeRef {
  private constructor(
    private cidValue: CID | undefined,
    private nodeValue: MstNode | undefined,
    private bytesValue: Uint8Array | undefined,
    /** Built in memory by an operation rather than read from the block reader. */
    readonly fresh: boolean,
  ) {}

  static stored(cid: CID): NodeRef {
    return new NodeRef(cid, undefined, undefined, false)
  }

  static fresh(node: MstNode): NodeRef {
    return new NodeRef(undefined, node, undefined, true)
  }

  /** The node, decoded once and cached (the mutation path). `height` null: infer it (roots). */
  load(reader: BlockReader, height: number | null): MstNode {
    if (this.nodeValue) return this.nodeValue
    const bytes = readBlock(reader, this.cidValue!)
    this.nodeValue = nodeFromWire(decodeNodeData(bytes), height)
    this.bytesValue = bytes
    return this.nodeValue
  }

  /** The node without caching it, so long walks over big trees do not pin every node in memory. */
  read(reader: BlockReader, height: number | null): MstNode {
    return this.nodeValue ?? nodeFromWire(decodeNodeData(readBlock(reader, this.cidValue!)), height)
  }

  /** The CID; for a fresh node this encodes it (and, recursively, its fresh children) once. */
  cid(): CID {
    if (this.cidValue) return this.cidValue
    const bytes = encodeNodeData(toWire(this.nodeValue!))
    this.bytesValue = bytes
    this.cidValue = cidForCbor(bytes)
    return this.cidValue
  }

  /** The encoded node. */
  bytes(reader: BlockReader): Uint8Array {
    if (!this.bytesValue) {
      if (this.fresh) this.cid()
      else this.bytesValue = readBlock(reader, this.cidValue!)
    }
    return this.bytesValue!
  }
}

function toWire(node: MstNode): WireNode {
  return {
    left: node.left?.cid() ?? null,
    entries: node.entries.map((e) => ({ key: e.key, value: e.value, right: e.right?.cid() ?? null })),
  }
}

function nodeFromWire(wire: WireNode, expected: number | null): MstNode {
  const first = wire.entries[0]
  if (expected === null && !first && wire.left) {
    throw new InvalidMstNodeError('MST root is an empty node pointing to a subtree')
  }
  const height = expected ?? (first ? keyHeight(first.key) : 0)
  if (expected !== null && !first && !wire.left) {
    throw new InvalidMstNodeError('empty MST node inside a tree')
  }
  for (const entry of wire.entries) {
    if (keyHeight(entry.key) !== height) {
      throw new InvalidMstNodeError(`MST key ${entry.key} is at the wrong depth (node height ${height})`)
    }
  }
  const hasChildren = wire.left !== null || wire.entries.some((e) => e.right !== null)
  if (height === 0 && hasChildren) throw new InvalidMstNodeError('MST node at height 0 has subtrees')
  const link = (cid: CID | null) => (cid ? NodeRef.stored(cid) : null)
  const entries = wire.entries.map((e) => ({ key: e.key, value: e.value, right: link(e.right) }))
  return new MstNode(height, link(wire.left), entries)
}
