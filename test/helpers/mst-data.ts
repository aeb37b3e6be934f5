/**
 * Inputs shared by the MST and repo tests: a seeded random number generator (mulberry32, so a
 * failing sequence can be replayed), the interop fixture's example keys, and small value CIDs.
 */
import { encodeCbor } from '../../src/core/cbor.ts'
import { type CID, cidForCbor } from '../../src/core/cid.ts'

/** A deterministic generator of numbers in [0, 1) from `seed`. */
export function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The keys of test/fixtures/interop/mst/example_keys.txt, in file order. */
export const exampleKeys = (
  await Bun.file(`${import.meta.dir}/../fixtures/interop/mst/example_keys.txt`).text()
)
  .split('\n')
  .filter((line) => line.length > 0)

/** The CID of the DAG-CBOR map `{ n }`: a distinct leaf value per number. */
export function valueCid(n: number): CID {
  return cidForCbor(encodeCbor({ n }))
}
