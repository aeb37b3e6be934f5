/**
 * Differential tests against the official implementation (@atproto/repo): the same random
 * operation sequences must give the same root after every step, and the same diffs.
 */
import { describe, expect, test } from 'bun:test'
import { parseCid as theirCid } from '@atproto/lex-data'
import { DataDiff, MemoryBlockstore, MST } from '@atproto/repo'
import { BlockMap } from '../../../src/core/block-reader.ts'
import { encodeCbor } from '../../../src/core/cbor.ts'
import { type CID, cidForCbor } from '../../../src/core/cid.ts'
import { diff, Mst } from '../../../src/core/mst/index.ts'
import { exampleKeys, rng } from '../../helpers/mst-data.ts'

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz'

/** Random keys, TID-like appends (the common case in real repos) and the fixture keys. */
function keySource(random: () => number): () => string {
  let tid = 0x3000000000000
  return () => {
    const roll = random()
    if (roll < 0.1) return exampleKeys[Math.floor(random() * exampleKeys.length)]!
    let rkey = ''
    if (roll < 0.5) {
      tid += 1 + Math.floor(random() * 5000)
      for (let v = tid, i = 0; i < 13; i++, v = Math.floor(v / 32)) rkey = ALPHABET[v % 32] + rkey
      return `app.bsky.feed.post/${rkey}`
    }
    for (let i = 0; i < 13; i++) rkey += ALPHABET[Math.floor(random() * 32)]
    const collections = ['app.bsky.feed.like', 'app.bsky.graph.follow', 'com.example.x']
    return `${collections[Math.floor(random() * collections.length)]}/${rkey}`
  }
}

type Step = { action: 'create' | 'update' | 'delete'; key: string; value: CID | null }

function randomStep(random: () => number, nextKey: () => string, present: string[], n: number): Step {
  const roll = random()
  const value = cidForCbor(encodeCbor({ n }))
  if (present.length > 0 && roll < 0.2) {
    return { action: 'update', key: present[Math.floor(random() * present.length)]!, value }
  }
  if (present.length > 0 && roll < 0.4) {
    const index = Math.floor(random() * present.length)
    const key = present[index]!
    present[index] = present[present.length - 1]!
    present.pop()
    return { action: 'delete', key, value: null }
  }
  let key = nextKey()
  while (present.includes(key)) key = nextKey()
  present.push(key)
  return { action: 'create', key, value }
}

async function applyTheirs(tree: MST, step: Step): Promise<MST> {
  if (step.action === 'delete') return tree.delete(step.key)
  const value = theirCid(step.value!.toString())
  return step.action === 'create' ? tree.add(step.key, value) : tree.update(step.key, value)
}

function applyOurs(tree: Mst, step: Step): Mst {
  if (step.action === 'delete') return tree.delete(step.key)
  return step.action === 'create' ? tree.add(step.key, step.value!) : tree.update(step.key, step.value!)
}

describe('MST differential vs @atproto/repo', () => {
  test.each([
    [1, 0],
    [2, 0],
    [3, 2000],
    [4, 5000],
  ])('seed %i, %i preloaded keys: roots agree after every step, and diffs agree', async (seed, preload) => {
    const random = rng(seed)
    const nextKey = keySource(random)
    const present: string[] = []
    const store = new BlockMap()
    let ours = Mst.create(store)
    let theirs = await MST.create(new MemoryBlockstore())
    for (let n = 0; n < preload; n++) {
      const step = randomStep(random, nextKey, [], -1 - n)
      if (present.includes(step.key)) continue
      present.push(step.key)
      ours = applyOurs(ours, step)
      theirs = await applyTheirs(theirs, step)
    }
    expect(ours.rootCid().toString()).toBe((await theirs.getPointer()).toString())
    store.addAll(ours.newBlocks())
    ours = Mst.load(store, ours.rootCid())
    let snapshot = { ours: ours.rootCid(), theirs }
    for (let n = 0; n < 1000; n++) {
      const step = randomStep(random, nextKey, present, n)
      ours = applyOurs(ours, step)
      theirs = await applyTheirs(theirs, step)
      expect(ours.rootCid().toString()).toBe((await theirs.getPointer()).toString())
      if (n % 25 === 24) {
        store.addAll(ours.newBlocks())
        ours = Mst.load(store, ours.rootCid())
      }
      if (n % 100 === 99) {
        await expectSameDiff(store, ours, snapshot, theirs)
        snapshot = { ours: ours.rootCid(), theirs }
      }
    }
    expect([...ours.walkLeaves()].map((leaf) => leaf.key)).toEqual(present.slice().sort())
  })
})

async function expectSameDiff(
  store: BlockMap,
  ours: Mst,
  before: { ours: CID; theirs: MST },
  theirs: MST,
): Promise<void> {
  store.addAll(ours.newBlocks())
  const mine = diff(store, before.ours, ours.rootCid())
  const reference = await DataDiff.of(theirs, before.theirs)
  const show = (key: string, cid: unknown, prev: unknown) => `${key} ${String(cid)} ${String(prev)}`
  const expected = [
    ...reference.addList().map((op) => `create ${show(op.key, op.cid, null)}`),
    ...reference.updateList().map((op) => `update ${show(op.key, op.cid, op.prev)}`),
    ...reference.deleteList().map((op) => `delete ${show(op.key, null, op.cid)}`),
  ].sort()
  expect(mine.ops.map((op) => `${op.action} ${show(op.key, op.cid, op.prev)}`).sort()).toEqual(expected)
  const theirNew = reference.newMstBlocks.cids().map(String).sort()
  expect([...mine.newBlocks.entries()].map((e) => e.cid.toString()).sort()).toEqual(theirNew)
  const leafCids = new Set(mine.ops.flatMap((op) => [String(op.cid), String(op.prev)]))
  const theirRemoved = reference.removedCids.toList().map(String)
  expect(mine.removedCids.map(String).sort()).toEqual(theirRemoved.filter((c) => !leafCids.has(c)).sort())
}
