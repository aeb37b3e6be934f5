// Repository figures: MST inserts into a 100k-key tree and commit build+sign on a 10k-record
// repository, over an in-memory BlockMap (what the store adds on top is measured elsewhere). Reads
// hand out copies, as a database does, so no figure leans on blocks already decoded in memory.
// Commits are signed by the keypair class the server signs with. Each timed figure runs until
// ~500 ms have passed, after a short warm-up.
import { BlockMap, type BlockReader } from '../src/core/block-reader.ts'
import { encodeCbor } from '../src/core/cbor.ts'
import { type CID, cidForCbor } from '../src/core/cid.ts'
import { Secp256k1Keypair } from '../src/core/crypto/keypair.ts'
import { Mst } from '../src/core/mst/index.ts'
import { type AppliedWrites, applyRepoWrites, type RepoWrite } from '../src/core/repo/index.ts'

const BUDGET_NS = 500e6
const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz'

/** A TID-shaped record key from a counter (increasing, like real posts). */
function tid(n: number): string {
  let out = ''
  for (let v = 0x1000000000000 + n, i = 0; i < 13; i++, v = Math.floor(v / 32)) out = ALPHABET[v % 32] + out
  return out
}

/** Reads from `store` the way a database does: a fresh buffer per read. */
function copying(store: BlockMap): BlockReader {
  return { get: (cid) => store.get(cid)?.slice() }
}

/** Runs `step` until the budget is spent; returns operations per second. */
function rate(step: (i: number) => void, warmup = 50): number {
  for (let i = 0; i < warmup; i++) step(-1 - i)
  const start = Bun.nanoseconds()
  let count = 0
  while (Bun.nanoseconds() - start < BUDGET_NS) step(count++)
  return Math.round(count / ((Bun.nanoseconds() - start) / 1e9))
}

function benchMst(): Record<string, number> {
  const value = cidForCbor(encodeCbor({ text: 'x' }))
  const store = new BlockMap()
  const buildStart = Bun.nanoseconds()
  let tree = Mst.create(store)
  for (let i = 0; i < 100_000; i++) tree = tree.add(`app.bsky.feed.post/${tid(i * 7919)}`, value)
  let root = tree.rootCid()
  store.addAll(tree.newBlocks())
  const buildSeconds = (Bun.nanoseconds() - buildStart) / 1e9
  // One insert as a write sees it: load the path from the store, insert, encode, hand back blocks.
  const reader = copying(store)
  let n = 0
  const insertsPerSecond = rate(() => {
    const next = Mst.load(reader, root).add(`app.bsky.feed.like/${tid(n++ * 104729)}`, value)
    root = next.rootCid()
    store.addAll(next.newBlocks())
  })
  return {
    mst_build_100k_inserts_per_s: Math.round(100_000 / buildSeconds),
    mst_insert_into_100k_per_s: insertsPerSecond,
  }
}

function benchCommits(): Record<string, number> {
  const signer = Secp256k1Keypair.create()
  const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
  const record = (i: number) => ({
    $type: 'app.bsky.feed.post',
    text: `post ${i}`,
    createdAt: '2026-01-01T00:00:00.000Z',
  })
  const store = new BlockMap()
  const initial: RepoWrite[] = Array.from({ length: 10_000 }, (_, i) => ({
    action: 'create',
    collection: 'app.bsky.feed.post',
    rkey: tid(i * 7919),
    record: record(i),
  }))
  let head: AppliedWrites = applyRepoWrites({
    reader: store,
    did,
    prevCommit: null,
    writes: initial,
    rev: tid(1e12),
    signer,
  })
  store.addAll(head.newBlocks)
  const reader = copying(store)
  let rev = 1e12
  let n = 0
  const commitsPerSecond = rate(() => {
    const prevCommit: { cid: CID; data: CID; rev: string } = {
      cid: head.commitCid,
      data: head.commit.data,
      rev: head.commit.rev,
    }
    const writes: RepoWrite[] = [
      { action: 'create', collection: 'app.bsky.feed.post', rkey: tid(2e11 + n++), record: record(n) },
    ]
    head = applyRepoWrites({ reader, did, prevCommit, writes, rev: tid(++rev), signer })
    store.addAll(head.newBlocks)
  })
  const signsPerSecond = rate(() => signer.sign(head.commitBytes))
  return { commit_build_sign_10k_per_s: commitsPerSecond, k256_sign_per_s: signsPerSecond }
}

async function benchRepo(): Promise<Record<string, number>> {
  return { ...benchMst(), ...benchCommits() }
}

if (import.meta.main) console.log(JSON.stringify(await benchRepo(), null, 2))
