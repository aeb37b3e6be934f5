/**
 * Reads and bookkeeping at the service level: account checks on writes, backlink replacement,
 * listing and describeRepo, block garbage collection, and the #commit events (checked by
 * inverting their ops with @atproto/repo) with their delivery only after commit.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import type { SequencedEvent } from '../../../src/services/sequencer/index.ts'
import { openRepoEnv, type TestAccount } from '../../helpers/repo-env.ts'
import { invertCommitEvent, verifyAccountExport } from '../../helpers/repo-verify.ts'
import { rejectsWith as rejects } from '../../helpers/xrpc-errors.ts'

const env = openRepoEnv()
afterAll(() => env.close())

const POST = 'app.bsky.feed.post'
const post = (text: string) => ({ $type: POST, text, createdAt: new Date().toISOString() })

const verified = (account: TestAccount) => verifyAccountExport(env, account)

describe('account checks', () => {
  const dave = env.createAccount('dave.test')
  const erin = env.createAccount('erin.test')
  const write = (authDid: string, repo: string) =>
    env.repo.createRecord(authDid, { repo, collection: POST, record: post('x') })

  test('writing to another account is 401, to an unknown one 403 AccountNotFound', async () => {
    await rejects(write(dave.did, erin.did), 401, 'AuthenticationRequired')
    await rejects(write(dave.did, 'did:plc:unknownunknownunknown'), 403, 'AccountNotFound')
  })

  test('deactivated and taken-down accounts cannot write', async () => {
    dave.deactivatedAt = new Date().toISOString()
    await rejects(write(dave.did, dave.did), 401, 'AccountDeactivated')
    dave.deactivatedAt = null
    dave.takedownRef = 'mod-1'
    await rejects(write(dave.did, 'dave.test'), 401, 'AccountTakedown')
    dave.takedownRef = null
    expect((await write(dave.did, 'dave.test')).commit).not.toBeNull()
  })
})

describe('backlinks', () => {
  const frank = env.createAccount('frank.test')

  test('a second like of the same subject replaces the first', async () => {
    const subject = {
      uri: `at://${frank.did}/${POST}/3kccccccccccc`,
      cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    }
    const like = () => ({ $type: 'app.bsky.feed.like', subject, createdAt: new Date().toISOString() })
    const first = await env.repo.createRecord(frank.did, {
      repo: frank.did,
      collection: 'app.bsky.feed.like',
      record: like(),
    })
    const second = await env.repo.createRecord(frank.did, {
      repo: frank.did,
      collection: 'app.bsky.feed.like',
      record: like(),
    })
    const page = env.repo.listRecords({ repo: frank.did, collection: 'app.bsky.feed.like', limit: 10 })
    expect(page.records.map((r) => r.uri)).toEqual([second.uri])
    expect(first.uri).not.toBe(second.uri)
    await verified(frank)
  })
})

describe('listing', () => {
  const gina = env.createAccount('gina.test')

  test('listRecords pages newest first, or oldest first with reverse', async () => {
    const rkeys = ['3kdddddddddd2', '3kdddddddddd3', '3kdddddddddd4', '3kdddddddddd5', '3kdddddddddd6']
    await env.repo.applyWrites(gina.did, {
      repo: gina.did,
      writes: rkeys.map((rkey) => ({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: POST,
        rkey,
        value: post(rkey),
      })),
    })
    const list = (cursor?: string, reverse?: boolean) =>
      env.repo.listRecords({ repo: 'gina.test', collection: POST, limit: 2, cursor, reverse })
    const page1 = list()
    const page2 = list(page1.cursor)
    const page3 = list(page2.cursor)
    const keys = (page: typeof page1) => page.records.map((r) => r.uri.split('/').at(-1))
    expect([...keys(page1), ...keys(page2), ...keys(page3)]).toEqual([...rkeys].reverse())
    expect(page3.cursor).toBe(rkeys[0])
    expect(list(page3.cursor).records).toEqual([])
    expect(list(page3.cursor).cursor).toBeUndefined()
    expect(keys(list(undefined, true))).toEqual(rkeys.slice(0, 2))
    expect(keys(list(rkeys[1], true))).toEqual(rkeys.slice(2, 4))
  })

  test('describeRepo lists the collections and checks the handle', async () => {
    const described = await env.repo.describeRepo('gina.test')
    expect(described).toMatchObject({
      did: gina.did,
      handle: 'gina.test',
      collections: [POST],
      handleIsCorrect: true,
    })
  })
})

describe('storage hygiene and events', () => {
  const hank = env.createAccount('hank.test')

  test('deleting every record leaves only the commit and the empty root node', async () => {
    const res = await env.repo.applyWrites(hank.did, {
      repo: hank.did,
      writes: Array.from({ length: 50 }, (_, i) => ({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: POST,
        value: post(`n${i % 5}`),
      })),
    })
    await env.repo.applyWrites(hank.did, {
      repo: hank.did,
      writes: res.results.map((r) => ({
        $type: 'com.atproto.repo.applyWrites#delete',
        collection: POST,
        rkey: r.uri.split('/').at(-1)!,
      })),
    })
    expect(env.repo.accountRepoStats(hank.did)).toMatchObject({ blocks: 2, records: 0 })
    await verified(hank)
  })

  test('every commit is one #commit event whose ops invert to prevData, with contiguous seqs', async () => {
    const events: SequencedEvent[] = []
    const stop = env.sequencer.subscribe((event) => events.push(event))
    const roots = [env.repo.getRoot(hank.did)!]
    for (let i = 0; i < 5; i++) {
      await env.repo.createRecord(hank.did, { repo: hank.did, collection: POST, record: post(`e${i}`) })
      roots.push(env.repo.getRoot(hank.did)!)
    }
    stop()
    expect(events.map((e) => e.type)).toEqual(Array(5).fill('commit'))
    expect(events.map((e) => e.seq - events[0]!.seq)).toEqual([0, 1, 2, 3, 4])
    for (const [i, event] of events.entries()) {
      const { body, invertedRoot } = await invertCommitEvent(event.event)
      expect(body.seq).toBe(event.seq)
      expect(body.since).toBe(roots[i]!.rev)
      expect(body.rev).toBe(roots[i + 1]!.rev)
      expect(body.prevData!.toString()).toBe(roots[i]!.data.toString())
      expect(invertedRoot).toBe(roots[i]!.data.toString())
      expect({ rebase: body.rebase, tooBig: body.tooBig, blobs: body.blobs }).toEqual({
        rebase: false,
        tooBig: false,
        blobs: [],
      })
    }
  })

  test('events of a rolled-back transaction are never delivered', async () => {
    const seen: string[] = []
    const stop = env.sequencer.subscribe((event) => seen.push(event.type))
    expect(() =>
      env.db.transaction(() => {
        env.sequencer.sequenceIdentityInTx(hank.did, 'hank.test')
        throw new Error('abort')
      }),
    ).toThrow('abort')
    env.db.transaction(() => env.sequencer.sequenceAccountInTx(hank.did, true))
    await Promise.resolve()
    stop()
    expect(seen).toEqual(['account'])
  })
})
