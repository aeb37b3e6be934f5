/**
 * com.atproto.sync repository reads over HTTP, checked with the official implementation:
 * @atproto/repo verifies full exports, `since` diffs against the earlier export, record proofs
 * (presence and absence) and raw blocks; listings page and report hosting status; availability
 * errors carry the lexicons' names.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { parseCid as theirCid } from '@atproto/lex-data'
import {
  MemoryBlockstore,
  Repo,
  readCarWithRoot,
  verifyDiffCar,
  verifyProofs,
  verifyRepoCar,
} from '@atproto/repo'
import { readCar } from '../../src/core/car.ts'
import { decodeCbor } from '../../src/core/cbor.ts'
import { failure, type SignedUp, signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
let alice: SignedUp
let bob: SignedUp
let anon: AtpAgent
const POST = 'app.bsky.feed.post'
const post = (text: string) => ({ $type: POST, text, createdAt: new Date().toISOString() })
const rkeyOf = (uri: string) => uri.split('/').at(-1)!
const keyOf = (did: string) => h.ctx.accounts.signingKey(did).did()

beforeAll(async () => {
  h = await startHarness()
  alice = await signUp(h, 'alice')
  bob = await signUp(h, 'bob')
  anon = new AtpAgent({ service: h.url })
  for (let i = 0; i < 40; i++) {
    await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: post(`post ${i}`),
    })
  }
  await bob.agent.com.atproto.repo.createRecord({
    repo: bob.did,
    collection: 'app.bsky.graph.follow',
    record: { $type: 'app.bsky.graph.follow', subject: alice.did, createdAt: new Date().toISOString() },
  })
})
afterAll(() => h.stop())

async function getRepo(did: string, since?: string): Promise<Uint8Array> {
  const res = await anon.com.atproto.sync.getRepo({ did, since })
  expect(res.headers['content-type']).toBe('application/vnd.ipld.car')
  return res.data
}

describe('getRepo', () => {
  test('streams the whole repo, commit first, verified by @atproto/repo with the account key', async () => {
    const car = await getRepo(alice.did)
    const verified = await verifyRepoCar(car, alice.did, keyOf(alice.did))
    const listed = await anon.com.atproto.repo.listRecords({ repo: alice.did, collection: POST, limit: 100 })
    expect(
      new Set(verified.creates.map((c) => `at://${alice.did}/${c.collection}/${c.rkey} ${c.cid}`)),
    ).toEqual(new Set(listed.data.records.map((r) => `${r.uri} ${r.cid}`)))
    const { roots, blocks } = await readCar(car)
    const latest = await anon.com.atproto.sync.getLatestCommit({ did: alice.did })
    expect(roots.map(String)).toEqual([latest.data.cid])
    expect(String((await blocks.next()).value!.cid)).toBe(latest.data.cid)
    await blocks.return(undefined)
  })

  test('since a rev sends only what changed after it, which verifies as a diff of the earlier export', async () => {
    const before = await getRepo(alice.did)
    const { root } = await readCarWithRoot(before)
    const rev = (decodeCbor((await readCarWithRoot(before)).blocks.get(root)!) as { rev: string }).rev
    const repo = alice.agent.com.atproto.repo
    const listed = await repo.listRecords({ repo: alice.did, collection: POST, limit: 2 })
    const [first, second] = listed.data.records
    const created = await repo.createRecord({ repo: alice.did, collection: POST, record: post('new') })
    const updated = await repo.putRecord({
      repo: alice.did,
      collection: POST,
      rkey: rkeyOf(first!.uri),
      record: post('edited'),
    })
    await repo.deleteRecord({ repo: alice.did, collection: POST, rkey: rkeyOf(second!.uri) })

    const diff = await getRepo(alice.did, rev)
    const earlier = (await readCarWithRoot(before)).blocks
    const { blocks: sent } = await readCarWithRoot(diff)
    // Only blocks the earlier export lacked: the commit, the changed nodes, the new records.
    expect(sent.size).toBeGreaterThan(0)
    const resent: string[] = []
    sent.forEach((_, cid) => {
      if (earlier.has(cid)) resent.push(cid.toString())
    })
    expect(resent).toEqual([])
    const storage = new MemoryBlockstore(earlier)
    const verified = await verifyDiffCar(await Repo.load(storage, root), diff, alice.did, keyOf(alice.did))
    const writes = verified.writes.map((w) => `${w.action} ${w.rkey} ${w.cid}`).sort()
    expect(writes).toEqual(
      [
        `create ${rkeyOf(created.data.uri)} ${created.data.cid}`,
        `update ${rkeyOf(first!.uri)} ${updated.data.cid}`,
        `delete ${rkeyOf(second!.uri)} ${second!.cid}`,
      ].sort(),
    )
  })

  test('since the current rev sends the commit root and no blocks', async () => {
    const latest = await anon.com.atproto.sync.getLatestCommit({ did: alice.did })
    const { roots, blocks } = await readCar(await getRepo(alice.did, latest.data.rev))
    expect(roots.map(String)).toEqual([latest.data.cid])
    expect((await blocks.next()).done).toBe(true)
  })

  test('getCheckout (deprecated) is the whole repo', async () => {
    const res = await anon.com.atproto.sync.getCheckout({ did: bob.did })
    const verified = await verifyRepoCar(res.data, bob.did, keyOf(bob.did))
    expect(verified.creates.map((c) => c.collection)).toEqual(['app.bsky.graph.follow'])
  })
})

describe('getRecord', () => {
  test('proves a record with the commit, its MST path and the record, verified by @atproto/repo', async () => {
    const listed = await anon.com.atproto.repo.listRecords({ repo: alice.did, collection: POST, limit: 1 })
    const record = listed.data.records[0]!
    const rkey = rkeyOf(record.uri)
    const { data } = await anon.com.atproto.sync.getRecord({ did: alice.did, collection: POST, rkey })
    const claim = { collection: POST, rkey, cid: theirCid(record.cid) }
    const result = await verifyProofs(data, [claim], alice.did, keyOf(alice.did))
    expect(result.unverified).toEqual([])
    expect(result.verified.map((c) => String(c.cid))).toEqual([record.cid])
    const { blocks } = await readCarWithRoot(data)
    expect(blocks.has(theirCid(record.cid))).toBe(true)
  })

  test('proves the absence of a record that does not exist', async () => {
    const { data } = await anon.com.atproto.sync.getRecord({
      did: alice.did,
      collection: POST,
      rkey: '2222222222222',
    })
    const claim = { collection: POST, rkey: '2222222222222', cid: null }
    const result = await verifyProofs(data, [claim], alice.did, keyOf(alice.did))
    expect(result.verified).toHaveLength(1)
    // And that proof does not vouch for a record under that key.
    const forged = { ...claim, cid: theirCid(h.ctx.repo.getRoot(alice.did)!.cid.toString()) }
    expect((await verifyProofs(data, [forged], alice.did, keyOf(alice.did))).unverified).toHaveLength(1)
  })
})

describe('getBlocks, getLatestCommit, getHead', () => {
  test('getBlocks returns the requested blocks; a missing one is BlockNotFound', async () => {
    const root = h.ctx.repo.getRoot(alice.did)!
    const cids = [root.cid.toString(), root.data.toString()]
    const { data } = await anon.com.atproto.sync.getBlocks({ did: alice.did, cids })
    const { roots, blocks } = await readCar(data)
    expect(roots).toEqual([])
    const got: string[] = []
    for await (const block of blocks) got.push(String(block.cid))
    expect(got).toEqual(cids)
    const missing = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
    expect(
      await failure(anon.com.atproto.sync.getBlocks({ did: alice.did, cids: [cids[0]!, missing] })),
    ).toMatchObject({
      status: 400,
      error: 'BlockNotFound',
    })
  })

  test('getLatestCommit and getHead name the current commit', async () => {
    const root = h.ctx.repo.getRoot(bob.did)!
    const latest = await anon.com.atproto.sync.getLatestCommit({ did: bob.did })
    expect(latest.data).toEqual({ cid: root.cid.toString(), rev: root.rev })
    const head = await anon.com.atproto.sync.getHead({ did: bob.did })
    expect(head.data).toEqual({ root: root.cid.toString() })
  })
})

describe('listings and status', () => {
  test('listRepos pages through every repo in creation order with head, rev and status', async () => {
    const carol = await signUp(h, 'carol')
    await carol.agent.com.atproto.server.deactivateAccount({})
    const seen: { did: string; head: string; rev: string; active?: boolean; status?: string }[] = []
    let cursor: string | undefined
    do {
      const page = await anon.com.atproto.sync.listRepos({ limit: 2, cursor })
      seen.push(...page.data.repos)
      cursor = page.data.cursor
    } while (cursor)
    expect(seen.map((r) => r.did)).toEqual([alice.did, bob.did, carol.did])
    expect(seen[1]).toEqual({
      did: bob.did,
      head: h.ctx.repo.getRoot(bob.did)!.cid.toString(),
      rev: h.ctx.repo.getRoot(bob.did)!.rev,
      active: true,
    })
    expect(seen[2]).toMatchObject({ active: false, status: 'deactivated' })
    expect(await failure(anon.com.atproto.sync.listRepos({ cursor: 'nonsense' }))).toMatchObject({
      status: 400,
    })
  })

  test('getRepoStatus reports active with rev, inactive with the reason, RepoNotFound otherwise', async () => {
    const status = await anon.com.atproto.sync.getRepoStatus({ did: bob.did })
    expect(status.data).toEqual({ did: bob.did, active: true, rev: h.ctx.repo.getRoot(bob.did)!.rev })
    const dave = await signUp(h, 'dave')
    await dave.agent.com.atproto.server.deactivateAccount({})
    expect((await anon.com.atproto.sync.getRepoStatus({ did: dave.did })).data).toEqual({
      did: dave.did,
      active: false,
      status: 'deactivated',
    })
    expect(await failure(anon.com.atproto.sync.getRepoStatus({ did: 'did:plc:unknown' }))).toMatchObject({
      status: 400,
      error: 'RepoNotFound',
    })
  })

  test('listReposByCollection lists the active accounts holding the collection', async () => {
    const list = async (collection: string, limit?: number, cursor?: string) =>
      (await anon.com.atproto.sync.listReposByCollection({ collection, limit, cursor })).data
    expect((await list(POST)).repos).toEqual([{ did: alice.did }])
    expect((await list('app.bsky.graph.follow')).repos).toEqual([{ did: bob.did }])
    expect((await list('app.bsky.feed.like')).repos).toEqual([])
    const both = [alice.did, bob.did].sort()
    await bob.agent.com.atproto.repo.createRecord({ repo: bob.did, collection: POST, record: post('me too') })
    const first = await list(POST, 1)
    expect(first.repos).toEqual([{ did: both[0]! }])
    const second = await list(POST, 1, first.cursor)
    expect(second.repos).toEqual([{ did: both[1]! }])
    expect((await list(POST, 1, second.cursor)).repos).toEqual([])
  })
})

describe('availability', () => {
  test('unknown, deactivated and taken-down repos answer with the lexicon error names', async () => {
    const erin = await signUp(h, 'erin')
    const frank = await signUp(h, 'frank')
    await erin.agent.com.atproto.server.deactivateAccount({})
    h.ctx.accounts.tables.accounts.setTakedownRef(frank.did, 'mod-action-1')
    const cases = [
      ['did:plc:nobodyhere', 'RepoNotFound'],
      [erin.did, 'RepoDeactivated'],
      [frank.did, 'RepoTakendown'],
    ] as const
    for (const [did, error] of cases) {
      // One call at a time: a rejection nobody awaits yet would count as unhandled.
      for (const call of [
        () => anon.com.atproto.sync.getRepo({ did }),
        () => anon.com.atproto.sync.getLatestCommit({ did }),
        () => anon.com.atproto.sync.getRecord({ did, collection: POST, rkey: '2222222222222' }),
        () => anon.com.atproto.sync.getBlocks({ did, cids: [h.ctx.repo.getRoot(alice.did)!.cid.toString()] }),
      ]) {
        expect(await failure(call())).toMatchObject({ status: 400, error })
      }
    }
    // The owner still reads their own deactivated repo.
    const own = await erin.agent.com.atproto.sync.getRepo({ did: erin.did })
    expect((await verifyRepoCar(own.data, erin.did, keyOf(erin.did))).creates).toEqual([])
  })
})
