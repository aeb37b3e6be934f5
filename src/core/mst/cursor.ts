/**
 * A cursor over the slots of an MST in key order (subtree, entry, subtree, entry, ...), used by
 * diff. At a subtree it can either step into it (`next`) or past it (`skip`); stepping into a
 * subtree reports its ref, so diff can collect the nodes it had to open.
 * Spec: repository "MST Structure".
 */
import type { BlockReader } from '../block-reader.ts'
import type { MstEntry, MstNode, NodeRef } from './node.ts'

export interface CursorItem {
  /** Set when the cursor is on an entry. */
  readonly leaf?: MstEntry
  /** Set when the cursor is on a subtree. */
  readonly tree?: NodeRef
  /** Height of the subtree's top node (for an entry: of the node holding it). */
  readonly height: number
}

interface Frame {
  readonly node: MstNode
  /** Slot index: even slots are gaps (subtrees), odd slots entries. */
  slot: number
}

export class MstCursor {
  private readonly stack: Frame[] = []
  current: CursorItem | null

  constructor(
    private readonly reader: BlockReader,
    root: NodeRef | null,
    private readonly onEnter: (ref: NodeRef) => void,
  ) {
    this.current = root ? { tree: root, height: root.load(reader, null).height } : null
  }

  get done(): boolean {
    return this.current === null
  }

  /** Moves to the next slot, stepping into the current subtree if the cursor is on one. */
  next(): void {
    const tree = this.current?.tree
    if (tree) {
      this.onEnter(tree)
      this.stack.push({ node: tree.load(this.reader, this.current!.height), slot: -1 })
    }
    this.advance()
  }

  /** Moves past the current item without stepping into it. */
  skip(): void {
    this.advance()
  }

  private advance(): void {
    for (;;) {
      const frame = this.stack.at(-1)
      if (!frame) {
        this.current = null
        return
      }
      frame.slot++
      const { node, slot } = frame
      if (slot > 2 * node.entries.length) {
        this.stack.pop()
        continue
      }
      if (slot % 2 === 1) {
        this.current = { leaf: node.entries[slot >> 1]!, height: node.height }
        return
      }
      const child = node.child(slot >> 1)
      if (child) {
        this.current = { tree: child, height: node.height - 1 }
        return
      }
    }
  }
}
