import { describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '@atproto/crypto'
import { parseCid as theirCid } from '@atproto/lex-data'
import { blocksToCarFile, BlockMap as TheirBlockMap, verifyProofs } from '@atproto/repo'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { BlockMap } from '../../../src/core/block-reader.ts'
import { decodeCbor } from '../../../src/core/cbor.ts'
import type { CID } from '../../../src/core/cid.ts'
import { InvalidMstKeyError, invertOps, Mst } from '../../../src/core/mst/index.ts'
import {
  type AppliedWrites,
  applyRepoWrites,
  DuplicateWritePathError,
  decodeCommit,
  RecordExistsError,
  RecordNotFoundError,
  type RepoWrite,
  StaleRevError,
  verifyCommitSignature,
} from '../../../src/core/repo/index.ts'
import { rng } from '../../helpers/mst-data.ts'

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const secretKey = secp256k1.utils.randomSecretKey()
const signer = {
  sign: (message: Uint8Array) => secp256k1.sign(message, secretKey, { prehash: true, lowS: true }),
}
const publicKey = secp256k1.getPublicKey(secretKey)
const verify = (message: Uint8Array, sig: Uint8Array) =>
  secp256k1.verify(sig, message, publicKey, { prehash: true })

/** Base32-sortable TIDs from a counter, so revs increase. */
function tid(n: number): string {
  const alphabet = '234567abcdefghijklmnopqrstuvwxyz'
  let out = ''
  for (let v = 0x1000000000000 + n, i = 0; i < 13; i++, v = Math.floor(v / 32)) out = alphabet[v % 32] + out
  return out
}

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: '2024-01-01T00:00:00.000Z' })

/** A block store that applies commits the way the storage layer should. */
class Store {
  readonly blocks = new BlockMap()
  head: { cid: CID; data: CID; rev: string } | null = null
  readonly records = new Map<string, CID>()

  commit(writes: RepoWrite[], rev: string): AppliedWrites {
    const result = applyRepoWrites({ reader: this.blocks, did, prevCommit: this.head, writes, rev, signer })
    this.blocks.addAll(result.newBlocks)
    for (const cid of result.removedCids) this.blocks.delete(cid)
    for (const op of result.ops) {
      if (op.cid) this.records.set(op.path, op.cid)
      else this.records.delete(op.path)
      const stillUsed = [...this.records.values()].some((cid) => op.prev && cid.equals(op.prev))
      if (op.prev && !stillUsed) this.blocks.delete(op.prev)
    }
    this.head = { cid: result.commitCid, data: result.commit.data, rev }
    return result
  }
}

async function toCar(root: CID, ...maps: BlockMap[]): Promise<Uint8Array> {
  const blocks = new TheirBlockMap()
  for (const map of maps)
    for (const { cid, bytes } of map.entries()) blocks.set(theirCid(cid.toString()), bytes)
  return blocksToCarFile(theirCid(root.toString()), blocks)
}

describe('applyRepoWrites', () => {
  test('the first commit holds the commit, the records and every MST node, and has no prevData', () => {
    const store = new Store()
    const writes: RepoWrite[] = [1, 2, 3].map((n) => ({
      action: 'create',
      collection: 'app.bsky.feed.post',
      rkey: tid(n),
      record: post(`hello ${n}`),
    }))
    const result = store.commit(writes, tid(100))
    expect(result.prevData).toBeNull()
    expect(result.removedCids).toEqual([])
    expect(result.ops.map((op) => [op.action, op.path, op.prev])).toEqual(
      writes.map((w) => ['create', `${w.collection}/${w.rkey}`, null]),
    )
    result.ops.forEach((op, i) => {
      const write = writes[i] as { record: unknown }
      expect(decodeCbor(result.newBlocks.get(op.cid!)!)).toEqual(write.record)
    })
    const commit = decodeCommit(result.newBlocks.get(result.commitCid)!)
    expect(commit).toEqual(result.commit)
    expect(result.commitBytes).toEqual(result.newBlocks.get(result.commitCid)!)
    expect(verifyCommitSignature(commit, verify)).toBe(true)
    const nodes = [...Mst.load(result.newBlocks, commit.data).allNodeCids()]
    expect(result.newBlocks.size).toBe(1 + writes.length + nodes.length)
  })

  test('typed errors: existing create, missing update or delete, duplicate path, stale rev, bad key', () => {
    const store = new Store()
    const create = {
      action: 'create',
      collection: 'app.bsky.feed.post',
      rkey: 'a',
      record: post('a'),
    } as const
    store.commit([create], tid(10))
    const attempt =
      (writes: RepoWrite[], rev = tid(11)) =>
      () =>
        applyRepoWrites({ reader: store.blocks, did, prevCommit: store.head, writes, rev, signer })
    expect(attempt([create])).toThrow(RecordExistsError)
    expect(attempt([{ ...create, action: 'update', rkey: 'b' }])).toThrow(RecordNotFoundError)
    expect(attempt([{ action: 'delete', collection: 'app.bsky.feed.post', rkey: 'b' }])).toThrow(
      RecordNotFoundError,
    )
    expect(
      attempt([
        { ...create, rkey: 'c' },
        { ...create, action: 'update', rkey: 'c' },
      ]),
    ).toThrow(DuplicateWritePathError)
    expect(attempt([{ ...create, rkey: 'd' }], tid(10))).toThrow(StaleRevError)
    expect(attempt([{ ...create, rkey: 'd' }], tid(9))).toThrow(StaleRevError)
    expect(attempt([{ ...create, rkey: 'bad key' }])).toThrow(InvalidMstKeyError)
  })

  test('an empty write list makes a new commit over the same tree', () => {
    const store = new Store()
    const first = store.commit(
      [{ action: 'create', collection: 'a.b.c', rkey: 'x', record: post('x') }],
      tid(1),
    )
    const empty = store.commit([], tid(2))
    expect(empty.commit.data.equals(first.commit.data)).toBe(true)
    expect(empty.ops).toEqual([])
    expect(empty.prevData?.equals(first.commit.data)).toBe(true)
    expect(empty.removedCids.map(String)).toEqual([first.commitCid.toString()])
  })

  test('a chain of random commits keeps the store exactly the reachable repo, and each commit proves itself', async () => {
    const keypair = await Secp256k1Keypair.import(secretKey)
    const store = new Store()
    const random = rng(41)
    let rev = 1000
    for (let round = 0; round < 40; round++) {
      const writes = randomWrites(random, store.records, round)
      const result = store.commit(writes, tid(++rev))
      expect(
        Object.fromEntries(
          Mst.load(store.blocks, result.commit.data)
            .list()
            .map((l) => [l.key, String(l.cid)]),
        ),
      ).toEqual(Object.fromEntries([...store.records].map(([k, v]) => [k, String(v)])))
      expect(store.blocks.size).toBe(
        1 +
          [...Mst.load(store.blocks, result.commit.data).allNodeCids()].length +
          new Set([...store.records.values()].map(String)).size,
      )
      // The firehose event's blocks alone: signed commit, proofs for every op, inversion to prevData.
      const firehose = new BlockMap()
      firehose.addAll(result.newBlocks)
      firehose.addAll(result.proofBlocks)
      const claims = result.ops.map((op) => {
        const [collection, rkey] = op.path.split('/') as [string, string]
        return { collection, rkey, cid: op.cid ? theirCid(op.cid.toString()) : null }
      })
      const verified = await verifyProofs(await toCar(result.commitCid, firehose), claims, did, keypair.did())
      expect(verified.unverified).toEqual([])
      const mstOps = result.ops.map((op) => ({ ...op, key: op.path }))
      const inverted = invertOps(firehose, result.commit.data, mstOps)
      expect(inverted.toString()).toBe(
        result.prevData?.toString() ?? Mst.create(firehose).rootCid().toString(),
      )
    }
  })
})

function randomWrites(random: () => number, records: Map<string, CID>, round: number): RepoWrite[] {
  const writes: RepoWrite[] = []
  const used = new Set<string>()
  const existing = [...records.keys()]
  const count = round === 0 ? 60 : 1 + Math.floor(random() * 8)
  for (let i = 0; i < count; i++) {
    const roll = random()
    const path = existing[Math.floor(random() * existing.length)]
    if (path && roll < 0.4 && !used.has(path)) {
      used.add(path)
      const [collection, rkey] = path.split('/') as [string, string]
      writes.push(
        roll < 0.2
          ? { action: 'delete', collection, rkey }
          : { action: 'update', collection, rkey, record: post(`edit ${round} ${i}`) },
      )
      continue
    }
    const rkey = tid(Math.floor(random() * 1e9))
    const collection = random() < 0.5 ? 'app.bsky.feed.post' : 'app.bsky.feed.like'
    if (records.has(`${collection}/${rkey}`) || used.has(`${collection}/${rkey}`)) continue
    used.add(`${collection}/${rkey}`)
    writes.push({ action: 'create', collection, rkey, record: post(`post ${round} ${i}`) })
  }
  return writes
}
