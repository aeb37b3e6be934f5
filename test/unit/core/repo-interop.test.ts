/**
 * Our repositories against @atproto/repo: the same writes give the same commits and blocks,
 * our exports verify with its repo verification, and its repos load and walk with our MST.
 */
import { describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '@atproto/crypto'
import { parseCid as theirCid } from '@atproto/lex-data'
import {
  blocksToCarFile,
  type CommitData,
  getFullRepo,
  MemoryBlockstore,
  type RecordCreateOp,
  type RecordWriteOp,
  Repo,
  BlockMap as TheirBlockMap,
  verifyRepoCar,
} from '@atproto/repo'
import { CarReader } from '@ipld/car'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { BlockMap } from '../../../src/core/block-reader.ts'
import type { CID } from '../../../src/core/cid.ts'
import { Mst } from '../../../src/core/mst/index.ts'
import {
  type AppliedWrites,
  applyRepoWrites,
  decodeCommit,
  type RepoWrite,
  verifyCommitSignature,
} from '../../../src/core/repo/index.ts'
import { referenceCarOrder } from '../../helpers/car-order.ts'
import { rng } from '../../helpers/mst-data.ts'

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const secretKey = secp256k1.utils.randomSecretKey()
const publicKey = secp256k1.getPublicKey(secretKey)
const signer = {
  sign: (message: Uint8Array) => secp256k1.sign(message, secretKey, { prehash: true, lowS: true }),
}
const keypair = await Secp256k1Keypair.import(secretKey)

function rkey(random: () => number): string {
  let out = '3'
  for (let i = 0; i < 12; i++) out += '234567abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 32)]
  return out
}

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: '2024-01-01T00:00:00.000Z' })

function writesFor(random: () => number, paths: Set<string>, count: number): RepoWrite[] {
  const writes: RepoWrite[] = []
  const existing = [...paths]
  const used = new Set<string>()
  for (let i = 0; i < count; i++) {
    const path = existing[Math.floor(random() * existing.length)]
    const roll = random()
    if (path && roll < 0.4 && !used.has(path)) {
      used.add(path)
      const [collection, key] = path.split('/') as [string, string]
      writes.push(
        roll < 0.2
          ? { action: 'delete', collection, rkey: key }
          : { action: 'update', collection, rkey: key, record: post(`edit ${i} ${roll}`) },
      )
      continue
    }
    const collection = roll < 0.7 ? 'app.bsky.feed.post' : 'app.bsky.graph.follow'
    const key = rkey(random)
    used.add(`${collection}/${key}`)
    writes.push({ action: 'create', collection, rkey: key, record: post(`new ${i} ${roll}`) })
  }
  for (const w of writes) {
    if (w.action === 'delete') paths.delete(`${w.collection}/${w.rkey}`)
    else paths.add(`${w.collection}/${w.rkey}`)
  }
  return writes
}

const cidSet = (...maps: BlockMap[]) =>
  [...new Set(maps.flatMap((m) => [...m.entries()].map((e) => String(e.cid))))].sort()
const theirCidSet = (...maps: TheirBlockMap[]) =>
  [...new Set(maps.flatMap((m) => m.cids().map(String)))].sort()

function expectSameCommit(ours: AppliedWrites, theirs: CommitData): void {
  expect(ours.commitCid.toString()).toBe(theirs.cid.toString())
  expect(cidSet(ours.newBlocks)).toEqual(theirCidSet(theirs.newBlocks))
  // The firehose slice: the reference ships newBlocks + relevantBlocks (covering proofs).
  expect(cidSet(ours.newBlocks, ours.proofBlocks)).toEqual(
    theirCidSet(theirs.newBlocks, theirs.relevantBlocks),
  )
  const records = new Set(ours.ops.flatMap((op) => [String(op.cid), String(op.prev)]))
  const theirRemoved = theirs.removedCids
    .toList()
    .map(String)
    .filter((c) => !records.has(c))
  expect(ours.removedCids.map(String).sort()).toEqual(theirRemoved.sort())
}

describe('repositories vs @atproto/repo', () => {
  test('the same writes at the same revs give identical commits, blocks, proofs and removals', async () => {
    const random = rng(51)
    const paths = new Set<string>()
    const storage = new MemoryBlockstore()
    const store = new BlockMap()
    const initial = writesFor(random, paths, 200)
    const init = await Repo.formatInitCommit(
      storage,
      did,
      keypair,
      initial as RecordCreateOp[],
      '3kaaaaaaaaaaa',
    )
    let repo = await Repo.createFromCommit(storage, init)
    let ours = applyRepoWrites({
      reader: store,
      did,
      prevCommit: null,
      writes: initial,
      rev: init.rev,
      signer,
    })
    expectSameCommit(ours, init)
    store.addAll(ours.newBlocks)
    for (let round = 0; round < 25; round++) {
      const writes = writesFor(random, paths, 1 + Math.floor(random() * 6))
      const theirs = await repo.formatCommit(writes as RecordWriteOp[], keypair)
      const prevCommit = { cid: ours.commitCid, data: ours.commit.data, rev: ours.commit.rev }
      ours = applyRepoWrites({ reader: store, did, prevCommit, writes, rev: theirs.rev, signer })
      expectSameCommit(ours, theirs)
      store.addAll(ours.newBlocks)
      repo = await repo.applyCommit(theirs)
    }
  })

  test('a repo we build exports as a CAR that @atproto/repo verifies, with the same records', async () => {
    const random = rng(52)
    const paths = new Set<string>()
    const store = new BlockMap()
    let head: AppliedWrites | null = null
    for (let round = 0; round < 10; round++) {
      const writes = writesFor(random, paths, round === 0 ? 250 : 20)
      const prevCommit: { cid: CID; data: CID; rev: string } | null = head
        ? { cid: head.commitCid, data: head.commit.data, rev: head.commit.rev }
        : null
      head = applyRepoWrites({
        reader: store,
        did,
        prevCommit,
        writes,
        rev: `3kaaaaaaaaaa${'abcdefghij'[round]}`,
        signer,
      })
      store.addAll(head.newBlocks)
    }
    const exported = new TheirBlockMap()
    exported.set(theirCid(head!.commitCid.toString()), head!.commitBytes)
    for (const { cid } of referenceCarOrder(store, head!.commit.data)) {
      exported.set(theirCid(cid.toString()), store.get(cid)!)
    }
    const car = await blocksToCarFile(theirCid(head!.commitCid.toString()), exported)
    const verified = await verifyRepoCar(car, did, keypair.did())
    const theirRecords = verified.creates.map((c) => `${c.collection}/${c.rkey} ${c.cid}`).sort()
    const ourRecords = Mst.load(store, head!.commit.data)
      .list()
      .map((l) => `${l.key} ${l.cid}`)
    expect(theirRecords).toEqual(ourRecords)
    expect(ourRecords).toHaveLength(paths.size)
  })

  test('a repo built by @atproto/repo loads, verifies and walks with our code', async () => {
    const random = rng(53)
    const paths = new Set<string>()
    const storage = new MemoryBlockstore()
    let repo = await Repo.create(storage, did, keypair, writesFor(random, paths, 300) as RecordCreateOp[])
    for (let round = 0; round < 5; round++) {
      repo = await repo.applyWrites(writesFor(random, paths, 10) as RecordWriteOp[], keypair)
    }
    const chunks: Uint8Array[] = []
    for await (const chunk of getFullRepo(storage, repo.cid)) chunks.push(chunk)
    const reader = await CarReader.fromBytes(Buffer.concat(chunks))
    const store = new BlockMap()
    for await (const block of reader.blocks()) store.set(block.cid as unknown as CID, block.bytes)
    const [root] = await reader.getRoots()
    const commit = decodeCommit(store.get(root as unknown as CID)!)
    const verify = (message: Uint8Array, sig: Uint8Array) => secp256k1.verify(sig, message, publicKey)
    expect(verifyCommitSignature(commit, verify)).toBe(true)
    const ours = [...Mst.load(store, commit.data).walkLeaves()].map((l) => `${l.key} ${l.cid}`)
    const theirs: string[] = []
    for await (const leaf of repo.data.walkLeavesFrom('')) theirs.push(`${leaf.key} ${leaf.value}`)
    expect(ours).toEqual(theirs)
    expect(ours).toHaveLength(paths.size)
  })
})
