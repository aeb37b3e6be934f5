/**
 * subscribeRepos against the real server, with the official @atproto/sync Firehose and
 * @atproto/repo on the other side: every #commit of a scripted session verifies (signature,
 * proofs, MST inversion back to prevData, the since/prevData chain), replay and live hand-over
 * keep seqs gap-free and duplicate-free, and the cursor rules of the event-stream spec hold.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { IdResolver } from '@atproto/identity'
import { readCarWithRoot } from '@atproto/repo'
import { Firehose, type Event as SyncEvent } from '@atproto/sync'
import { decodeCbor } from '../../src/core/cbor.ts'
import type { CID } from '../../src/core/cid.ts'
import { type SignedUp, signUp } from '../helpers/agents.ts'
import { type FirehoseClient, seqOf, subscribe, type WireFrame } from '../helpers/firehose-client.ts'
import { invertCommitEvent } from '../helpers/repo-verify.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
let early: FirehoseClient
let earlyOnThread: FirehoseClient
beforeAll(async () => {
  // With the firehose thread (firehose_port): both listeners serve subscribeRepos.
  h = await startHarness({ config: { firehose_port: 0 } })
  // Connected before anything happened: they see every event live.
  early = await subscribe(h.url, { cursor: 0 })
  earlyOnThread = await subscribe(h.firehoseUrl!, { cursor: 0 })
})
afterAll(async () => {
  for (const sub of [early, earlyOnThread]) {
    sub.close()
    await sub.closed
  }
  await h.stop()
})

const LISTENERS = ['main listener', 'firehose thread'] as const
type Listener = (typeof LISTENERS)[number]
const urlOf = (listener: Listener) => (listener === 'main listener' ? h.url : h.firehoseUrl!)

const POST = 'app.bsky.feed.post'
const post = (text: string) => ({ $type: POST, text, createdAt: new Date().toISOString() })
const rkeyOf = (uri: string) => uri.split('/').at(-1)!

interface ExpectedOp {
  event: 'create' | 'update' | 'delete'
  uri: string
  cid?: string
}

/** Creates, updates and deletes through the official client; returns the ops they must emit. */
async function scriptedSession(alice: SignedUp, bob: SignedUp): Promise<ExpectedOp[]> {
  const expected: ExpectedOp[] = []
  const repo = alice.agent.com.atproto.repo
  const posts = []
  for (const text of ['one', 'two', 'three', 'four']) {
    const { data } = await repo.createRecord({ repo: alice.did, collection: POST, record: post(text) })
    expected.push({ event: 'create', uri: data.uri, cid: data.cid })
    posts.push(data)
  }
  const profile = await repo.putRecord({
    repo: alice.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: 'Alice' },
  })
  expected.push({ event: 'create', uri: profile.data.uri, cid: profile.data.cid })
  const renamed = await repo.putRecord({
    repo: alice.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: 'Alice A.' },
  })
  expected.push({ event: 'update', uri: renamed.data.uri, cid: renamed.data.cid })
  await repo.deleteRecord({ repo: alice.did, collection: POST, rkey: rkeyOf(posts[1]!.uri) })
  expected.push({ event: 'delete', uri: posts[1]!.uri })
  const applied = await repo.applyWrites({
    repo: alice.did,
    writes: [
      {
        $type: 'com.atproto.repo.applyWrites#create',
        collection: POST,
        rkey: '3kzzzzzzzzzz2',
        value: post('five'),
      },
      {
        $type: 'com.atproto.repo.applyWrites#update',
        collection: POST,
        rkey: rkeyOf(posts[0]!.uri),
        value: post('one!'),
      },
      { $type: 'com.atproto.repo.applyWrites#delete', collection: POST, rkey: rkeyOf(posts[2]!.uri) },
    ],
  })
  const [created, updated] = applied.data.results as { uri: string; cid: string }[]
  expected.push({ event: 'create', uri: created!.uri, cid: created!.cid })
  expected.push({ event: 'update', uri: updated!.uri, cid: updated!.cid })
  expected.push({ event: 'delete', uri: posts[2]!.uri })
  const like = await bob.agent.com.atproto.repo.createRecord({
    repo: bob.did,
    collection: 'app.bsky.feed.like',
    record: { $type: 'app.bsky.feed.like', subject: posts[0]!, createdAt: new Date().toISOString() },
  })
  expected.push({ event: 'create', uri: like.data.uri, cid: like.data.cid })
  return expected
}

/** The official Firehose, authenticating commits with the accounts' keys from our database. */
function officialFirehose(listener: Listener, events: SyncEvent[], errors: Error[]): Firehose {
  const idResolver = {
    did: {
      resolveAtprotoKey: async (did: string) => h.ctx.accounts.signingKey(did).did(),
      resolve: async () => null,
    },
  } as unknown as IdResolver
  return new Firehose({
    service: urlOf(listener).replace(/^http/, 'ws'),
    idResolver,
    unauthenticatedHandles: true,
    handleEvent: (event) => void events.push(event),
    onError: (err) => void errors.push(err),
  })
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve))
}

interface CommitBody {
  repo: string
  rev: string
  since: string | null
  commit: CID
  prevData?: CID
  ops: { action: string; path: string; cid: CID | null; prev?: CID }[]
}

describe('#commit events', () => {
  test('every commit of a session verifies, inverts to prevData and chains to the previous one', async () => {
    const streams = LISTENERS.map((listener) => {
      const stream = { events: [] as SyncEvent[], errors: [] as Error[] }
      return { ...stream, official: officialFirehose(listener, stream.events, stream.errors) }
    })
    for (const { official } of streams) void official.start()
    const alice = await signUp(h, 'alice')
    const bob = await signUp(h, 'bob')
    const expected = await scriptedSession(alice, bob)
    const last = h.ctx.sequencer.lastSeq()
    await early.waitForSeq(last)
    await earlyOnThread.waitForSeq(last)
    for (const { official, events, errors } of streams) {
      await until(() => events.some((event) => event.seq === last))
      await official.destroy()
      expect(errors).toEqual([])
      const ops: ExpectedOp[] = events.flatMap((e) => {
        if (e.event !== 'create' && e.event !== 'update' && e.event !== 'delete') return []
        const uri = e.uri.toString()
        return [
          e.event === 'delete' ? { event: e.event, uri } : { event: e.event, uri, cid: e.cid.toString() },
        ]
      })
      expect(ops).toEqual(expected)
    }
    const state = new Map<string, { rev: string; data: string }>()
    for (const frame of early.frames.filter((f) => f.header.t === '#commit')) {
      await checkCommit(frame, state)
    }
    expect([...state.keys()].sort()).toEqual([alice.did, bob.did].sort())
    // The firehose thread sends exactly the main listener's frames.
    expect(earlyOnThread.frames.map((f) => f.bodyBytes)).toEqual(early.frames.map((f) => f.bodyBytes))
  })
})

/** Checks one #commit against the commit block it carries and the repo's previous commit. */
async function checkCommit(
  frame: WireFrame,
  state: Map<string, { rev: string; data: string }>,
): Promise<void> {
  const body = frame.body as unknown as CommitBody
  const car = await readCarWithRoot(frame.body.blocks as Uint8Array)
  expect(car.root.toString()).toBe(body.commit.toString())
  const commit = decodeCbor(car.blocks.get(car.root)!) as { rev: string; data: CID; did: string }
  expect(commit).toMatchObject({ rev: body.rev, did: body.repo })
  const previous = state.get(body.repo)
  expect(body.since).toBe(previous?.rev ?? null)
  if (previous) {
    expect(body.prevData?.toString()).toBe(previous.data)
    const { invertedRoot } = await invertCommitEvent(frame.bodyBytes)
    expect(invertedRoot).toBe(previous.data)
  } else {
    expect(body.prevData).toBeUndefined()
    expect(body.ops).toEqual([])
  }
  state.set(body.repo, { rev: body.rev, data: commit.data.toString() })
}

describe.each(LISTENERS)('cursors on the %s', (listener) => {
  const url = () => urlOf(listener)
  const tag = listener === 'main listener' ? 'main' : 'thread'
  test('cursor 0 replays the whole log, seqs rising by one, bodies as stored', async () => {
    const sub = await subscribe(url(), { cursor: 0 })
    const stored = h.ctx.sequencer.eventsAfter(0, 100_000)
    const frames = await sub.take(stored.length)
    sub.close()
    expect(frames.map(seqOf)).toEqual(stored.map((e) => e.seq))
    expect(frames.map(seqOf)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1))
    expect(frames.map((f) => f.bodyBytes)).toEqual(stored.map((e) => e.event))
    expect(frames.map((f) => f.header.t)).toEqual(stored.map((e) => `#${e.type}`))
  })

  test('replay hands over to live under concurrent writes with no gap and no duplicate', async () => {
    const carol = await signUp(h, `carol-${tag}`)
    const repo = carol.agent.com.atproto.repo
    let writing = true
    const writer = (async () => {
      for (let i = 0; i < 800; i++)
        await repo.createRecord({ repo: carol.did, collection: POST, record: post(`n${i}`) })
      writing = false
    })()
    // More than one replay batch (500 events) behind, so the replay yields while writes go on.
    await until(() => h.ctx.sequencer.lastSeq() > 600 || !writing)
    expect(writing).toBe(true)
    const fromStart = await subscribe(url(), { cursor: 0 })
    const middle = Math.floor(h.ctx.sequencer.lastSeq() / 2)
    const fromMiddle = await subscribe(url(), { cursor: middle })
    await writer
    const last = h.ctx.sequencer.lastSeq()
    await fromStart.waitForSeq(last)
    await fromMiddle.waitForSeq(last)
    fromStart.close()
    fromMiddle.close()
    expect(fromStart.frames.map(seqOf)).toEqual(Array.from({ length: last }, (_, i) => i + 1))
    expect(fromMiddle.frames.map(seqOf)).toEqual(
      Array.from({ length: last - middle }, (_, i) => middle + 1 + i),
    )
  })

  test('without a cursor only events committed after connecting arrive', async () => {
    const dave = await signUp(h, `dave-${tag}`)
    const sub = await subscribe(url())
    const before = h.ctx.sequencer.lastSeq()
    await dave.agent.com.atproto.repo.createRecord({ repo: dave.did, collection: POST, record: post('live') })
    const [frame] = await sub.take(1)
    sub.close()
    expect(seqOf(frame!)).toBe(before + 1)
    expect(frame!.header.t).toBe('#commit')
  })

  test('a cursor in the future gets a FutureCursor error frame, then the close', async () => {
    const sub = await subscribe(url(), { cursor: h.ctx.sequencer.lastSeq() + 1000 })
    const closed = await sub.closed
    expect(sub.frames.map(({ header, body }) => ({ header, body }))).toEqual([
      { header: { op: -1 }, body: { error: 'FutureCursor', message: 'Cursor in the future.' } },
    ])
    expect(closed).toEqual({ code: 1008, reason: 'FutureCursor' })
  })

  test('a malformed cursor is refused before the upgrade', async () => {
    const res = await fetch(`${url()}/xrpc/com.atproto.sync.subscribeRepos?cursor=soon`, {
      headers: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBe('InvalidRequest')
  })

  test('plain HTTP gets 426 for GET and 405 for other verbs', async () => {
    const endpoint = `${url()}/xrpc/com.atproto.sync.subscribeRepos`
    expect((await fetch(endpoint)).status).toBe(426)
    expect((await fetch(endpoint, { method: 'POST' })).status).toBe(405)
  })
})
