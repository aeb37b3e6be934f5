/**
 * The raw-bytes CAR-order walk used by exports, checked against the decoded walk
 * (test/helpers/car-order.ts) on trees from the interop example keys and on random ones, including pauses,
 * nodes outside the canonical layout, and broken nodes.
 */
import { describe, expect, test } from 'bun:test'
import { BlockMap } from '../../../src/core/block-reader.ts'
import { encodeCbor } from '../../../src/core/cbor.ts'
import { CID, cidForCbor } from '../../../src/core/cid.ts'
import { CarOrderWalk, type CarWalkSource } from '../../../src/core/mst/car-walk.ts'
import { InvalidMstNodeError, Mst } from '../../../src/core/mst/index.ts'
import { referenceCarOrder } from '../../helpers/car-order.ts'
import { exampleKeys, rng, valueCid } from '../../helpers/mst-data.ts'

interface Emitted {
  cid: string
  /** The key the walk asked the record for; null for a node. */
  key: string | null
}

/** A source over a block map that records which key each record was asked for. */
function mapSource(store: BlockMap, records: Map<string, string>): CarWalkSource {
  const get = (cid: Uint8Array) => {
    const bytes = store.get(CID.decode(cid))
    if (!bytes) throw new Error(`missing ${CID.decode(cid)}`)
    return bytes
  }
  return {
    node: get,
    record(key, cid) {
      records.set(CID.decode(cid).toString(), key)
      return new Uint8Array([1])
    },
  }
}

/** Runs the walk to the end, pausing after every `pauseEvery` blocks; counts the runs it took. */
function walkAll(store: BlockMap, root: CID, pauseEvery = 0): { emitted: Emitted[]; runs: number } {
  const records = new Map<string, string>()
  const walk = new CarOrderWalk(mapSource(store, records), root.bytes)
  const out: { cid: Uint8Array; record: boolean }[] = []
  const sink = (cid: Uint8Array, bytes: Uint8Array) => {
    out.push({ cid, record: bytes.length === 1 })
    return pauseEvery > 0 && out.length % pauseEvery === 0
  }
  let runs = 1
  while (walk.run(sink)) runs++
  const emitted = out.map(({ cid, record }) => {
    const text = CID.decode(cid).toString()
    return { cid: text, key: record ? (records.get(text) ?? null) : null }
  })
  return { emitted, runs }
}

/** The reference order over decoded nodes, with each record's key from the leaves. */
function expectedOrder(store: BlockMap, tree: Mst): Emitted[] {
  const keyOf = new Map(tree.list().map((leaf) => [leaf.cid.toString(), leaf.key]))
  return [...referenceCarOrder(store, tree.rootCid())].map(({ cid, node }) => ({
    cid: cid.toString(),
    key: node ? null : (keyOf.get(cid.toString()) ?? null),
  }))
}

function build(keys: string[]): { store: BlockMap; tree: Mst } {
  const store = new BlockMap()
  let tree = Mst.create(store)
  keys.forEach((key, i) => {
    tree = tree.add(key, valueCid(i))
  })
  store.addAll(tree.newBlocks())
  return { store, tree: Mst.load(store, tree.rootCid()) }
}

function randomKeys(count: number, seed: number): string[] {
  const random = rng(seed)
  // One collection name is a prefix of another: bytewise key order interleaves them unlike
  // ordering by collection first.
  const collections = ['com.example.a', 'com.example.a.b', 'com.example.ab', 'app.bsky.feed.post']
  const keys = new Set<string>()
  while (keys.size < count) {
    const rkey = Math.floor(random() * 2 ** 40).toString(36)
    keys.add(`${collections[Math.floor(random() * collections.length)]}/${rkey}`)
  }
  return [...keys]
}

describe('CarOrderWalk', () => {
  const cases: [string, string[]][] = [
    ['an empty tree', []],
    ['one key', ['com.example.record/3jqfcqzm3fo2j']],
    ['the interop example keys', exampleKeys],
    ['2000 random keys across prefix-sharing collections', randomKeys(2000, 7)],
  ]
  for (const [name, keys] of cases) {
    test(`emits ${name} in the decoded walk's order, asking for each record by its key`, () => {
      const { store, tree } = build(keys)
      const walked = walkAll(store, tree.rootCid()).emitted
      expect(walked).toEqual(expectedOrder(store, tree))
      expect(walked.filter((item) => item.key !== null)).toHaveLength(keys.length)
    })
  }

  for (const pauseEvery of [1, 3, 64]) {
    test(`pausing every ${pauseEvery} blocks resumes where it stopped`, () => {
      const { store, tree } = build(randomKeys(300, 11))
      const { emitted, runs } = walkAll(store, tree.rootCid(), pauseEvery)
      expect(emitted).toEqual(expectedOrder(store, tree))
      expect(runs).toBe(Math.ceil(emitted.length / pauseEvery))
    })
  }

  test('a node outside the canonical layout is read through the generic decoder', () => {
    // Extra fields are tolerated by the decoder but break the canonical layout.
    const bytes = encodeCbor({
      e: [
        { k: new TextEncoder().encode('com.example.x/a'), p: 0, t: null, v: valueCid(1) },
        { k: new TextEncoder().encode('b'), p: 14, t: null, v: valueCid(2) },
      ],
      l: null,
      z: 'extra',
    })
    const store = new BlockMap()
    const root = cidForCbor(bytes)
    store.set(root, bytes)
    expect(walkAll(store, root).emitted).toEqual([
      { cid: root.toString(), key: null },
      { cid: valueCid(1).toString(), key: 'com.example.x/a' },
      { cid: valueCid(2).toString(), key: 'com.example.x/b' },
    ])
  })

  const broken: [string, unknown][] = [
    ['keys out of order', { e: [entry('com.example.x/b', 0), entry('a', 14)], l: null }],
    ['a prefix longer than the previous key', { e: [entry('com.example.x/a', 0), entry('b', 40)], l: null }],
    ['a subtree link that is not dag-cbor', { e: [], l: CID.createV1(0x55, valueCid(1).multihash) }],
    ['no entry list', { l: null }],
  ]
  for (const [name, node] of broken) {
    test(`rejects a node with ${name}`, () => {
      const bytes = encodeCbor(node)
      const store = new BlockMap()
      const root = cidForCbor(bytes)
      store.set(root, bytes)
      expect(() => walkAll(store, root)).toThrow(InvalidMstNodeError)
    })
  }
})

function entry(suffix: string, p: number) {
  return { k: new TextEncoder().encode(suffix), p, t: null, v: valueCid(p) }
}
