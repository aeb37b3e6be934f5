/**
 * Block readers composed for MST work: an overlay of not-yet-stored blocks over a store, and a
 * reader that records every block it serves (how proofs are collected: by doing the verifier's
 * work and keeping what it read).
 */
import { BlockMap, type BlockReader } from '../block-reader.ts'
import type { CID } from '../cid.ts'

/** Reads from `top` first, then from `base`. */
export function overlayReader(top: BlockReader, base: BlockReader): BlockReader {
  return { get: (cid: CID) => top.get(cid) ?? base.get(cid) }
}

/** A reader that remembers every block it returned, in `blocks`. */
export function recordingReader(base: BlockReader): BlockReader & { readonly blocks: BlockMap } {
  const blocks = new BlockMap()
  return {
    blocks,
    get(cid: CID) {
      const bytes = base.get(cid)
      if (bytes) blocks.set(cid, bytes)
      return bytes
    },
  }
}
