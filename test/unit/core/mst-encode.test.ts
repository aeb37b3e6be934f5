import { describe, expect, test } from 'bun:test'
import { BlockMap } from '../../../src/core/block-reader.ts'
import { encodeBlock } from '../../../src/core/cbor.ts'
import { type CID, cidForRaw } from '../../../src/core/cid.ts'
import { readCanonicalNode } from '../../../src/core/mst/cbor-node.ts'
import { decodeNodeData, encodeNodeData } from '../../../src/core/mst/encode.ts'
import { InvalidMstNodeError, keyHeight, Mst } from '../../../src/core/mst/index.ts'

// Keys from the interop example list: the digit after the letter is the key's height.
const H0 = ['A0/374913', 'C0/451630', 'E0/670489']
const H1 = 'B1/986427'
const H2 = 'B2/827649'
const value = encodeBlock({ record: true }).cid
const utf8 = new TextEncoder()

function entry(p: number, suffix: string, t: CID | null = null): Record<string, unknown> {
  return { p, k: utf8.encode(suffix), v: value, t }
}

function store(blocks: BlockMap, node: unknown): CID {
  const { cid, bytes } = encodeBlock(node)
  blocks.set(cid, bytes)
  return cid
}

/** Stores `node` (a function of its child's CID when `child` is given) and walks it. */
function expectInvalid(node: unknown, child?: unknown): void {
  const blocks = new BlockMap()
  const childCid = child === undefined ? null : store(blocks, child)
  const root = store(blocks, typeof node === 'function' ? node(childCid) : node)
  expect(() => [...Mst.load(blocks, root).walkLeaves()]).toThrow(InvalidMstNodeError)
}

/** Two height-0 keys sharing the prefix `app.bsky.feed.post/`. */
function siblingsAtHeightZero(): [string, string] {
  const found: string[] = []
  for (let i = 0; found.length < 2; i++) {
    const key = `app.bsky.feed.post/${i}`
    if (keyHeight(key) === 0) found.push(key)
  }
  return [found[0]!, found[1]!]
}

describe('MST node encoding', () => {
  test('encodes with prefix compression and decodes back to the same entries', () => {
    const node = {
      left: null,
      entries: [
        { key: 'app.bsky.feed.post/aaa', value, right: null },
        { key: 'app.bsky.feed.post/abc', value, right: null },
        { key: 'app.bsky.feed.postx/z', value, right: null },
      ],
    }
    const bytes = encodeNodeData(node)
    expect(decodeNodeData(bytes)).toEqual(node)
    const raw = decodeNodeData(bytes)
    expect(raw.entries.map((e) => e.key)).toEqual(node.entries.map((e) => e.key))
  })

  test('writes the same bytes as the generic DAG-CBOR encoder, for long suffixes, big prefixes and many entries', () => {
    const child = encodeBlock({ child: true }).cid
    const entries = Array.from({ length: 40 }, (_, i) => ({
      key: `com.example.${'n'.repeat(30)}/${String(i).padStart(3, '0')}${'x'.repeat(i)}`,
      value,
      right: i % 3 === 0 ? child : null,
    }))
    const bytes = encodeNodeData({ left: child, entries })
    let prev = ''
    const e = entries.map((entry) => {
      let p = 0
      while (p < prev.length && prev[p] === entry.key[p]) p++
      prev = entry.key
      return { p, k: utf8.encode(entry.key.slice(p)), v: entry.value, t: entry.right }
    })
    expect(bytes).toEqual(encodeBlock({ l: child, e }).bytes)
    expect(readCanonicalNode(bytes)).not.toBeNull()
    expect(decodeNodeData(bytes)).toEqual({ left: child, entries })
  })

  test('decodes a node with an extra field through the generic decoder, ignoring the field', () => {
    const bytes = encodeBlock({ l: null, e: [{ ...entry(0, H0[0]!), x: 1 }], extra: 'future' }).bytes
    expect(decodeNodeData(bytes).entries.map((e) => e.key)).toEqual([H0[0]!])
  })

  test('rejects a node whose CBOR is not canonical', () => {
    const canonical = encodeNodeData({ left: null, entries: [{ key: H0[0]!, value, right: null }] })
    // Re-encode the entry array length (1) with a needless one-byte argument.
    const at = canonical.indexOf(0x81)
    const padded = new Uint8Array([...canonical.subarray(0, at), 0x98, 0x01, ...canonical.subarray(at + 1)])
    expect(() => decodeNodeData(padded)).toThrow(InvalidMstNodeError)
    expect(() => decodeNodeData(new Uint8Array([0xa2, 0x61]))).toThrow(InvalidMstNodeError)
  })

  test('always writes l and t, null when absent', () => {
    const bytes = encodeNodeData({ left: null, entries: [{ key: 'a.b/c', value, right: null }] })
    const generic = encodeBlock({ l: null, e: [{ p: 0, k: utf8.encode('a.b/c'), v: value, t: null }] }).bytes
    expect(bytes).toEqual(generic)
  })
})

describe('MST node validation', () => {
  test('rejects keys out of order', () => {
    expectInvalid({ l: null, e: [entry(0, H0[1]!), entry(0, H0[0]!)] })
  })

  test('rejects a prefix length that is not the full shared prefix', () => {
    const [a, b] = siblingsAtHeightZero()
    expect([
      ...Mst.load(...storedAlone({ l: null, e: [entry(0, a), entry(19, b.slice(19))] })).walkLeaves(),
    ]).toHaveLength(2)
    expectInvalid({ l: null, e: [entry(0, a), entry(0, b)] })
  })

  test('rejects a prefix length longer than the previous key', () => {
    expectInvalid({ l: null, e: [entry(0, 'A0/374913'), entry(40, 'x')] })
  })

  test('rejects a missing t field and a missing l field', () => {
    expectInvalid({ l: null, e: [{ p: 0, k: utf8.encode(H0[0]!), v: value }] })
    expectInvalid({ e: [entry(0, H0[0]!)] })
  })

  test('rejects keys that are not valid repo paths', () => {
    expectInvalid({ l: null, e: [entry(0, 'no-slash')] })
    expectInvalid({ l: null, e: [{ p: 0, k: new Uint8Array([0x61, 0x2f, 0xff]), v: value, t: null }] })
  })

  test('rejects node links that are not dag-cbor sha-256 CIDs', () => {
    expectInvalid({ l: cidForRaw(new Uint8Array([1])), e: [entry(0, H2)] })
  })

  test('rejects entries whose keys sit at different heights', () => {
    expectInvalid({ l: null, e: [entry(0, H0[0]!), entry(0, H1)] })
  })

  test('rejects a root that is an empty node pointing to a subtree', () => {
    expectInvalid((child: CID) => ({ l: child, e: [] }), { l: null, e: [entry(0, H0[0]!)] })
  })

  test('rejects an empty node inside a tree', () => {
    expectInvalid((child: CID) => ({ l: child, e: [entry(0, H1)] }), { l: null, e: [] })
  })

  test('rejects a subtree that skips a level', () => {
    expectInvalid((child: CID) => ({ l: child, e: [entry(0, H2)] }), { l: null, e: [entry(0, H0[0]!)] })
  })

  test('rejects subtrees under a height-0 node', () => {
    expectInvalid((child: CID) => ({ l: null, e: [entry(0, H0[1]!, child)] }), {
      l: null,
      e: [entry(0, H0[2]!)],
    })
  })

  test('rejects a subtree whose keys fall outside its gap when walked', () => {
    // Z0/425878 (height 0) sorts after B1/986427 but hangs to its left.
    expectInvalid((child: CID) => ({ l: child, e: [entry(0, H1)] }), { l: null, e: [entry(0, 'Z0/425878')] })
  })
})

function storedAlone(node: unknown): [BlockMap, CID] {
  const blocks = new BlockMap()
  return [blocks, store(blocks, node)]
}
