import { describe, expect, test } from 'bun:test'
import { BlockMap, type BlockReader } from '../../../src/core/block-reader.ts'
import { encodeCbor } from '../../../src/core/cbor.ts'
import { type CID, cidForCbor } from '../../../src/core/cid.ts'
import {
  commonPrefixLength,
  diff,
  InvalidMstKeyError,
  isValidMstKey,
  keyHeight,
  Mst,
  MstKeyExistsError,
  MstKeyNotFoundError,
} from '../../../src/core/mst/index.ts'
import commonPrefixFixtures from '../../fixtures/interop/mst/common_prefix.json'
import keyHeightFixtures from '../../fixtures/interop/mst/key_heights.json'
import { exampleKeys, rng, valueCid } from '../../helpers/mst-data.ts'

const EMPTY_ROOT = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
function randomKeys(count: number, seed: number): string[] {
  const random = rng(seed)
  const alphabet = '234567abcdefghijklmnopqrstuvwxyz'
  const collections = ['app.bsky.feed.post', 'app.bsky.feed.like', 'com.example.thing']
  const keys = new Set<string>()
  while (keys.size < count) {
    let rkey = ''
    for (let i = 0; i < 13; i++) rkey += alphabet[Math.floor(random() * 32)]
    keys.add(`${collections[Math.floor(random() * collections.length)]}/${rkey}`)
  }
  return [...keys]
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = rng(seed)
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

function valueFor(key: string): CID {
  return cidForCbor(encodeCbor({ key }))
}

function build(store: BlockMap, keys: string[]): Mst {
  let tree = Mst.create(store)
  for (const key of keys) tree = tree.add(key, valueFor(key))
  store.addAll(tree.newBlocks())
  return tree
}

function countingReader(base: BlockReader): BlockReader & { reads: number } {
  return {
    reads: 0,
    get(cid) {
      this.reads++
      return base.get(cid)
    },
  }
}

describe('MST keys (interop fixtures)', () => {
  test.each(keyHeightFixtures)('key $key has height $height', ({ key, height }) => {
    expect(keyHeight(key)).toBe(height)
  })

  test.each(commonPrefixFixtures)('"$left" and "$right" share $len leading bytes', ({ left, right, len }) => {
    expect(commonPrefixLength(left, right)).toBe(len)
  })

  test('every example key sits at the height its name announces', () => {
    expect(exampleKeys.length).toBeGreaterThan(100)
    for (const key of exampleKeys) expect(keyHeight(key)).toBe(Number(/^[A-Z](\d+)\//.exec(key)![1]))
  })

  test.each([
    ['app.bsky.feed.post/3jzfcijpj2z2a', true],
    ['com.example/a:b~c_d-e.f', true],
    [`a/${'x'.repeat(1022)}`, true],
    [`a/${'x'.repeat(1023)}`, false],
    ['', false],
    ['nocollection', false],
    ['/rkey', false],
    ['coll/', false],
    ['a/b/c', false],
    ['app.bsky.feed.post/with space', false],
    ['app.bsky.feed.post/ünicode', false],
    ['app.bsky.feed.post/..', false],
    ['./rkey', false],
  ])('isValidMstKey(%p) is %p', (key, valid) => {
    expect(isValidMstKey(key)).toBe(valid)
  })
})

describe('Mst operations', () => {
  test('an empty tree has the well-known empty root CID', () => {
    expect(Mst.create(new BlockMap()).rootCid().toString()).toBe(EMPTY_ROOT)
  })

  test('add, get, update and delete work on one key', () => {
    const store = new BlockMap()
    const key = 'com.example.record/3jqfcqzm3fo2j'
    const one = Mst.create(store).add(key, valueCid(1))
    expect(one.get(key)?.equals(valueCid(1))).toBe(true)
    const two = one.update(key, valueCid(2))
    expect(two.get(key)?.equals(valueCid(2))).toBe(true)
    expect(one.get(key)?.equals(valueCid(1))).toBe(true)
    const gone = two.delete(key)
    expect(gone.get(key)).toBeNull()
    expect(gone.isEmpty()).toBe(true)
    expect(gone.rootCid().toString()).toBe(EMPTY_ROOT)
  })

  test('rejects adding a present key, changing a missing key and invalid keys with typed errors', () => {
    const tree = Mst.create(new BlockMap()).add('a.b/c', valueCid(1))
    expect(() => tree.add('a.b/c', valueCid(2))).toThrow(MstKeyExistsError)
    expect(() => tree.update('a.b/d', valueCid(2))).toThrow(MstKeyNotFoundError)
    expect(() => tree.delete('a.b/d')).toThrow(MstKeyNotFoundError)
    expect(() => Mst.create(new BlockMap()).delete('a.b/d')).toThrow(MstKeyNotFoundError)
    expect(() => tree.add('bad key', valueCid(2))).toThrow(InvalidMstKeyError)
  })

  test('insertion order never changes the root', () => {
    const keys = [...exampleKeys, ...randomKeys(300, 1)]
    const expected = build(new BlockMap(), keys).rootCid()
    for (const seed of [2, 3, 4]) {
      const tree = build(new BlockMap(), shuffled(keys, seed))
      expect(tree.rootCid().equals(expected)).toBe(true)
    }
  })

  test('inserting then deleting a key restores the previous root, in memory and from storage', () => {
    const store = new BlockMap()
    const base = build(store, randomKeys(500, 5))
    const loaded = Mst.load(store, base.rootCid())
    for (const key of [...randomKeys(40, 6), ...exampleKeys.slice(0, 40)]) {
      const added = loaded.add(key, valueCid(9))
      expect(added.rootCid().equals(base.rootCid())).toBe(false)
      expect(added.delete(key).rootCid().equals(base.rootCid())).toBe(true)
    }
  })

  test('deleting every key in random order ends at the empty root', () => {
    const keys = [...exampleKeys, ...randomKeys(200, 7)]
    const store = new BlockMap()
    let tree = Mst.load(store, build(store, keys).rootCid())
    for (const key of shuffled(keys, 8)) tree = tree.delete(key)
    expect(tree.rootCid().toString()).toBe(EMPTY_ROOT)
  })

  test('a write on a stored tree reads and writes only a logarithmic number of nodes', () => {
    const store = new BlockMap()
    const root = build(store, randomKeys(5000, 9)).rootCid()
    const reader = countingReader(store)
    const tree = Mst.load(reader, root).add('app.bsky.feed.post/zzzzzzzzzzzzz', valueCid(1))
    tree.rootCid()
    expect(reader.reads).toBeLessThan(30)
    expect(tree.newBlocks().size).toBeLessThan(16)
    store.addAll(tree.newBlocks())
    const reloaded = Mst.load(store, tree.rootCid())
    expect(reloaded.get('app.bsky.feed.post/zzzzzzzzzzzzz')?.equals(valueCid(1))).toBe(true)
  })

  test('newBlocks after a build from empty holds exactly the nodes of the tree', () => {
    const store = new BlockMap()
    const tree = build(new BlockMap(), randomKeys(400, 10))
    store.addAll(tree.newBlocks())
    const nodes = [...Mst.load(store, tree.rootCid()).allNodeCids()].map(String)
    expect(new Set(nodes).size).toBe(nodes.length)
    expect(nodes.sort()).toEqual([...tree.newBlocks().entries()].map((e) => e.cid.toString()).sort())
  })
})

describe('Mst listing', () => {
  const keys = [...exampleKeys, ...randomKeys(600, 11)]
  const store = new BlockMap()
  const root = build(store, keys).rootCid()
  const tree = Mst.load(store, root)
  const sorted = keys.slice().sort()

  test('walkLeaves yields every key once, in order', () => {
    expect([...tree.walkLeaves()].map((leaf) => leaf.key)).toEqual(sorted)
  })

  test('list matches a filtered sorted array for random ranges, prefixes, limits and directions', () => {
    const random = rng(12)
    const pick = () => sorted[Math.floor(random() * sorted.length)]!
    const prefixes = ['app.bsky.feed.', 'app.bsky.feed.like/', 'com.example.thing/4', 'B', 'zzz', '']
    for (let i = 0; i < 200; i++) {
      const after = random() < 0.5 ? pick() : undefined
      const before = random() < 0.5 ? pick() : undefined
      const prefix = random() < 0.5 ? prefixes[Math.floor(random() * prefixes.length)] : undefined
      const limit = random() < 0.5 ? 1 + Math.floor(random() * 50) : undefined
      const reverse = random() < 0.5
      let expected = sorted.filter(
        (k) =>
          (after === undefined || k > after) &&
          (before === undefined || k < before) &&
          (prefix === undefined || k.startsWith(prefix)),
      )
      if (reverse) expected.reverse()
      if (limit !== undefined) expected = expected.slice(0, limit)
      const got = tree.list({ after, before, prefix, limit, reverse }).map((leaf) => leaf.key)
      expect(got).toEqual(expected)
    }
  })

  test('a small page of one collection loads only a few nodes', () => {
    const reader = countingReader(store)
    const page = Mst.load(reader, root).list({ prefix: 'com.example.thing/', limit: 5 })
    expect(page).toHaveLength(5)
    expect(reader.reads).toBeLessThan(25)
  })
})

describe('diff', () => {
  test('diff(a, b) lists the changed keys, and applying its ops to a gives b', () => {
    const store = new BlockMap()
    const keys = randomKeys(800, 13)
    const a = build(store, keys)
    const random = rng(14)
    let b = Mst.load(store, a.rootCid())
    for (const key of keys) {
      const roll = random()
      if (roll < 0.05) b = b.delete(key)
      else if (roll < 0.1) b = b.update(key, valueCid(100_000 + Math.floor(random() * 1000)))
    }
    for (const key of randomKeys(60, 15)) if (!b.get(key)) b = b.add(key, valueCid(7))
    store.addAll(b.newBlocks())
    const result = diff(store, a.rootCid(), b.rootCid())
    let applied = Mst.load(store, a.rootCid())
    for (const op of result.ops) {
      if (op.action === 'create') applied = applied.add(op.key, op.cid!)
      else if (op.action === 'update') applied = applied.update(op.key, op.cid!)
      else applied = applied.delete(op.key)
    }
    expect(applied.rootCid().equals(b.rootCid())).toBe(true)
    const bNodes = new Set([...b.allNodeCids()].map(String))
    const aNodes = new Set([...a.allNodeCids()].map(String))
    const newNodes = [...result.newBlocks.entries()].map((e) => e.cid.toString())
    expect(newNodes.sort()).toEqual([...bNodes].filter((c) => !aNodes.has(c)).sort())
    expect(result.removedCids.map(String).sort()).toEqual([...aNodes].filter((c) => !bNodes.has(c)).sort())
  })

  test('a diff from nothing creates every key and brings every node', () => {
    const store = new BlockMap()
    const tree = build(store, randomKeys(100, 16))
    const result = diff(store, null, tree.rootCid())
    expect(result.ops.every((op) => op.action === 'create' && op.prev === null)).toBe(true)
    expect(result.ops.map((op) => op.key)).toEqual([...tree.walkLeaves()].map((leaf) => leaf.key))
    expect(result.newBlocks.size).toBe([...tree.allNodeCids()].length)
    expect(result.removedCids).toEqual([])
  })

  test('a diff between identical roots is empty', () => {
    const store = new BlockMap()
    const root = build(store, randomKeys(100, 17)).rootCid()
    const result = diff(store, root, root)
    expect(result.ops).toEqual([])
    expect(result.newBlocks.size).toBe(0)
  })
})
