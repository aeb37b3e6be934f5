import { describe, expect, test } from 'bun:test'
import { parseCid as theirCid } from '@atproto/lex-data'
import { MemoryBlockstore, MST, BlockMap as TheirBlockMap } from '@atproto/repo'
import { BlockMap, MissingBlockError } from '../../../src/core/block-reader.ts'
import { type CID, parseCid } from '../../../src/core/cid.ts'
import {
  commitProof,
  diff,
  invertOps,
  Mst,
  MstInversionError,
  type MstOp,
  proveKey,
} from '../../../src/core/mst/index.ts'
import fixtures from '../../fixtures/interop/firehose/commit-proof-fixtures.json'
import { rng, valueCid } from '../../helpers/mst-data.ts'

function randomKey(random: () => number): string {
  let rkey = ''
  for (let i = 0; i < 10; i++) rkey += '234567abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 32)]
  return `${random() < 0.5 ? 'app.bsky.feed.post' : 'app.bsky.feed.like'}/${rkey}`
}

function cidStrings(blocks: BlockMap): string[] {
  return [...blocks.entries()].map((e) => e.cid.toString()).sort()
}

/** Builds the fixture's "before" tree, applies its commit, stores both. */
function applyFixture(fixture: (typeof fixtures)[number]) {
  const store = new BlockMap()
  const leaf = parseCid(fixture.leafValue)
  let tree = Mst.create(store)
  for (const key of fixture.keys) tree = tree.add(key, leaf)
  const before = tree.rootCid()
  store.addAll(tree.newBlocks())
  for (const key of fixture.adds) tree = tree.add(key, leaf)
  for (const key of fixture.dels) tree = tree.delete(key)
  const after = tree.rootCid()
  store.addAll(tree.newBlocks())
  return { store, before, after, ops: diff(store, before, after).ops }
}

describe('commit proofs (interop fixtures)', () => {
  test.each(fixtures)('$comment: roots, proof blocks and inversion match', (fixture) => {
    const { store, before, after, ops } = applyFixture(fixture)
    expect(before.toString()).toBe(fixture.rootBeforeCommit)
    expect(after.toString()).toBe(fixture.rootAfterCommit)
    const proof = commitProof(store, after, ops)
    expect(cidStrings(proof.blocks)).toEqual([...fixture.blocksInProof].sort())
    expect(proof.invertedRoot.equals(before)).toBe(true)
    expect(invertOps(proof.blocks, after, ops).toString()).toBe(fixture.rootBeforeCommit)
  })
})

describe('commit proofs (random commits vs @atproto/repo covering proofs)', () => {
  test('proof blocks equal the reference covering proofs and alone suffice to invert', async () => {
    const random = rng(21)
    for (let round = 0; round < 60; round++) {
      const size = Math.floor(random() * (round < 20 ? 40 : 1500))
      const store = new BlockMap()
      const keys = new Set<string>()
      while (keys.size < size) keys.add(randomKey(random))
      let tree = Mst.create(store)
      for (const key of keys) tree = tree.add(key, valueCid(keys.size))
      store.addAll(tree.newBlocks())
      const before = tree.rootCid()
      const present = [...keys]
      const touched = new Set<string>()
      const opCount = 1 + Math.floor(random() * 6)
      for (let i = 0; i < opCount; i++) {
        const roll = random()
        const existing = present[Math.floor(random() * present.length)]
        if (existing && !touched.has(existing) && roll < 0.5) {
          touched.add(existing)
          tree = roll < 0.25 ? tree.delete(existing) : tree.update(existing, valueCid(-i))
        } else {
          const key = randomKey(random)
          if (keys.has(key) || touched.has(key)) continue
          touched.add(key)
          tree = tree.add(key, valueCid(-i))
        }
      }
      const after = tree.rootCid()
      store.addAll(tree.newBlocks())
      const ops = diff(store, before, after).ops
      const proof = commitProof(store, after, ops)
      expect(proof.invertedRoot.equals(before)).toBe(true)
      expect(invertOps(proof.blocks, after, ops).equals(before)).toBe(true)
      expect(cidStrings(proof.blocks)).toEqual(await referenceCoveringProof(store, after, ops))
    }
  })
})

async function referenceCoveringProof(store: BlockMap, root: CID, ops: MstOp[]): Promise<string[]> {
  const theirs = new TheirBlockMap()
  for (const { cid, bytes } of store.entries()) theirs.set(theirCid(cid.toString()), bytes)
  const tree = MST.load(new MemoryBlockstore(theirs), theirCid(root.toString()))
  const union = new TheirBlockMap()
  for (const op of ops) union.addMap(await tree.getCoveringProof(op.key))
  return union.cids().map(String).sort()
}

describe('invertOps', () => {
  const { store, before, after, ops } = applyFixture(fixtures[4]!)

  test('rejects an operation whose new value does not match the tree', () => {
    const forged = ops.map((op) =>
      op.action === 'create' ? { ...op, cid: parseCid(fixtures[0]!.rootBeforeCommit) } : op,
    )
    expect(() => invertOps(store, after, forged)).toThrow(MstInversionError)
  })

  test('an incomplete operation list does not lead back to the previous root', () => {
    expect(invertOps(store, after, ops.slice(1)).equals(before)).toBe(false)
  })

  test('throws MissingBlockError when the proof lacks a needed node', () => {
    const proof = commitProof(store, after, ops).blocks
    proof.delete(after)
    expect(() => invertOps(proof, after, ops)).toThrow(MissingBlockError)
  })
})

describe('proveKey', () => {
  const random = rng(31)
  const store = new BlockMap()
  const keys = Array.from({ length: 3000 }, () => randomKey(random))
  let tree = Mst.create(store)
  for (const key of new Set(keys)) tree = tree.add(key, valueCid(1))
  store.addAll(tree.newBlocks())
  const root = tree.rootCid()

  test('proves presence and absence to a verifier walking only the proof (ours and the reference)', async () => {
    for (const key of [...keys.slice(0, 20), ...Array.from({ length: 20 }, () => randomKey(random))]) {
      const proof = proveKey(store, root, key)
      expect(proof.size).toBeLessThan(14)
      const expected = tree.get(key)?.toString() ?? null
      expect(Mst.load(proof, root).get(key)?.toString() ?? null).toBe(expected)
      const theirs = new TheirBlockMap()
      for (const { cid, bytes } of proof.entries()) theirs.set(theirCid(cid.toString()), bytes)
      const reference = MST.load(new MemoryBlockstore(theirs), theirCid(root.toString()))
      expect((await reference.get(key))?.toString() ?? null).toBe(expected)
    }
  })
})
