/**
 * The streamable CAR block order (repository spec, "Streamable CAR Block Ordering") transcribed
 * as plainly as possible over decoded nodes: the oracle the export's byte-level walk is checked
 * against.
 */
import { type BlockReader, readBlock } from '../../src/core/block-reader.ts'
import type { CID } from '../../src/core/cid.ts'
import { decodeNodeData } from '../../src/core/mst/encode.ts'

export function* referenceCarOrder(reader: BlockReader, node: CID): Generator<{ cid: CID; node: boolean }> {
  yield { cid: node, node: true }
  const { left, entries } = decodeNodeData(readBlock(reader, node))
  if (left) yield* referenceCarOrder(reader, left)
  for (const entry of entries) {
    yield { cid: entry.value, node: false }
    if (entry.right) yield* referenceCarOrder(reader, entry.right)
  }
}
