/**
 * What reaches subscribeRepos besides record writes, and from where: account lifecycle events in
 * the order the account-lifecycle guide gives, events another process appends to the log (an
 * admin command), and cursors that point before the retention window or into pruned events.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { silentLogger } from '../../src/lib/logger.ts'
import { EventPruner } from '../../src/services/firehose/index.ts'
import { Sequencer } from '../../src/services/sequencer/index.ts'
import { Db } from '../../src/storage/database.ts'
import { EventLog } from '../../src/storage/repo/index.ts'
import { EventWindow } from '../../src/storage/sync/index.ts'
import { PASSWORD, signUp } from '../helpers/agents.ts'
import { type FirehoseClient, seqOf, subscribe } from '../helpers/firehose-client.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ config: { firehose_port: 0 } })
})
afterAll(() => h.stop())

/** The first `count` frames, summarised as type, DID and the account or identity fields. */
async function summariesAfter(sub: FirehoseClient, count: number) {
  const frames = await sub.take(count)
  return frames.map(({ header, body }) => ({
    t: header.t,
    did: body.did ?? body.repo,
    ...(header.t === '#account' ? { active: body.active, status: body.status } : {}),
    ...(header.t === '#identity' ? { handle: body.handle } : {}),
  }))
}

describe('account lifecycle', () => {
  test('sign-up, deactivation, activation and deletion emit their events in order', async () => {
    const sub = await subscribe(h.url)
    const erin = await signUp(h, 'erin')
    const did = erin.did
    await erin.agent.com.atproto.server.deactivateAccount({})
    await erin.agent.com.atproto.server.activateAccount()
    await erin.agent.com.atproto.server.requestAccountDelete()
    const [mail] = h.ctx.accounts.tables.outbox.list(1, 'erin@example.com')
    const token = /\b[A-Z2-7]{5}-[A-Z2-7]{5}\b/.exec(mail!.body)![0]
    await new AtpAgent({ service: h.url }).com.atproto.server.deleteAccount({
      did,
      password: PASSWORD,
      token,
    })
    expect(await summariesAfter(sub, 9)).toEqual([
      { t: '#identity', did, handle: 'erin.test' },
      { t: '#account', did, active: true, status: undefined },
      { t: '#commit', did },
      { t: '#sync', did },
      { t: '#account', did, active: false, status: 'deactivated' },
      { t: '#account', did, active: true, status: undefined },
      { t: '#identity', did, handle: 'erin.test' },
      { t: '#sync', did },
      { t: '#account', did, active: false, status: 'deleted' },
    ])
    sub.close()
    // A replay no longer has the deleted account's earlier events, only the deletion.
    const replay = await subscribe(h.url, { cursor: 0 })
    const last = h.ctx.sequencer.lastSeq()
    await replay.waitForSeq(last)
    replay.close()
    expect(
      replay.frames.filter((f) => (f.body.did ?? f.body.repo) === did).map((f) => f.body.status),
    ).toEqual(['deleted'])
  })
})

describe('events from another process', () => {
  test.each(['main listener', 'firehose thread'])(
    'reach live subscribers on the %s through the poll',
    async (listener) => {
      const onThread = listener === 'firehose thread'
      const frank = await signUp(h, onThread ? 'frank-thread' : 'frank')
      const sub = await subscribe(onThread ? h.firehoseUrl! : h.url)
      // An admin command: its own connection and sequencer, invisible to the server's listeners.
      const other = Db.open(h.ctx.db.path)
      try {
        const sequencer = new Sequencer(other, new EventLog(other), silentLogger())
        const seq = other.transaction(() => sequencer.sequenceIdentityInTx(frank.did, frank.handle))
        const [frame] = await sub.take(1)
        expect(seqOf(frame!)).toBe(seq)
        expect(frame!.header.t).toBe('#identity')
      } finally {
        other.close()
        sub.close()
      }
    },
  )
})

describe('the retention window', () => {
  const OLD = '2000-01-01T00:00:00.000Z'

  test('a cursor before the window gets OutdatedCursor, then the events inside it', async () => {
    const gina = await signUp(h, 'gina')
    const aged = h.ctx.sequencer.lastSeq()
    await gina.agent.com.atproto.repo.createRecord({
      repo: gina.did,
      collection: 'app.bsky.feed.post',
      record: { $type: 'app.bsky.feed.post', text: 'inside the window', createdAt: new Date().toISOString() },
    })
    h.ctx.db.prepare('UPDATE repo_seq SET sequenced_at = ? WHERE seq <= ?').run(OLD, aged)

    const sub = await subscribe(h.url, { cursor: 1 })
    const [info, first] = await sub.take(2)
    sub.close()
    expect(info).toMatchObject({ header: { op: 1, t: '#info' }, body: { name: 'OutdatedCursor' } })
    expect(seqOf(first!)).toBe(aged + 1)
  })

  test('pruning deletes the events outside the window; cursors into them are outdated', async () => {
    const last = h.ctx.sequencer.lastSeq()
    const window = new EventWindow(h.ctx.db)
    const pruner = new EventPruner(
      { window, lastSeq: () => h.ctx.sequencer.lastSeq(), logger: silentLogger() },
      { windowMs: 72 * 3600_000, intervalMs: 60_000, batchSize: 3 },
    )
    const aged = h.ctx.db
      .prepare<{ n: number }, [string]>('SELECT count(*) AS n FROM repo_seq WHERE sequenced_at = ?')
      .get(OLD)!.n
    expect(await pruner.prune()).toBe(aged)
    const oldest = h.ctx.sequencer.eventsAfter(0, 1)[0]!.seq
    expect(window.prunedThrough()).toBe(oldest - 1)
    expect(await pruner.prune()).toBe(0)

    for (const [cursor, outdated] of [
      [oldest - 2, true],
      [oldest - 1, false],
      [0, false],
    ] as const) {
      const sub = await subscribe(h.url, { cursor })
      const frames = await sub.take(outdated ? 2 : 1)
      sub.close()
      expect(frames[0]!.header.t === '#info').toBe(outdated)
      expect(seqOf(frames.at(-1)!)).toBe(oldest)
    }
    expect(h.ctx.sequencer.lastSeq()).toBe(last)
  })
})

describe('shutdown', () => {
  test('a graceful stop closes the subscriptions (going away) and finishes', async () => {
    const server = await startHarness()
    const sub = await subscribe(server.url)
    const stopping = server.stop()
    expect(await sub.closed).toEqual({ code: 1001, reason: 'server shutting down' })
    await stopping
  })
})
