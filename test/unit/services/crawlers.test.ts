/**
 * requestCrawl notifications against fake relays on 127.0.0.1: what is sent, what is recorded
 * for each crawler (success, refusal, unreachable), and the throttle (at most one notification
 * per interval, activity inside the interval announced once when it ends), driven by an injected
 * clock and timer so nothing waits on real time.
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../../src/lib/logger.ts'
import { CrawlerNotifier, type CrawlerNotifierOptions } from '../../../src/services/crawlers/index.ts'
import { createSafeFetch } from '../../../src/services/outbound/index.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'
import { CrawlerStatusRows } from '../../../src/storage/sync/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-crawlers-'))
const db = Db.open(join(dir, 'perlsky.sqlite'))
migrate(db)
const status = new CrawlerStatusRows(db)

interface Received {
  path: string
  method: string
  contentType: string | null
  body: unknown
}

/** A relay that records requestCrawl calls and answers with `answer`. */
function fakeRelay(answer: () => Response = () => new Response(null, { status: 200 })) {
  const received: Received[] = []
  let notify: (() => void) | undefined
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      received.push({
        path: url.pathname,
        method: req.method,
        contentType: req.headers.get('content-type'),
        body: await req.json(),
      })
      notify?.()
      return answer()
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    /** Resolves once `count` requests have arrived. */
    async requests(count: number): Promise<Received[]> {
      while (received.length < count) await new Promise<void>((resolve) => (notify = resolve))
      return received
    },
    stop: () => server.stop(true),
  }
}

const relays: ReturnType<typeof fakeRelay>[] = []
afterAll(() => {
  for (const relay of relays) relay.stop()
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

function notifier(crawlers: string[], extra: Partial<CrawlerNotifierOptions> = {}): CrawlerNotifier {
  return new CrawlerNotifier({
    crawlers,
    hostname: 'pds.example.com',
    intervalMs: 60_000,
    fetch: createSafeFetch({
      allowPrivate: true,
      timeoutMs: 5000,
      maxBytes: 64 * 1024,
      userAgent: 'perlsky-test',
    }),
    status,
    logger: silentLogger(),
    ...extra,
  })
}

beforeEach(() => {
  db.exec('DELETE FROM crawler_status')
})

describe('requestCrawl', () => {
  test('posts our hostname to each crawler and records the answers', async () => {
    const a = fakeRelay()
    const b = fakeRelay()
    relays.push(a, b)
    const answers = await notifier([a.url, b.url]).notifyAll()
    expect(answers.map((x) => [x.url, x.ok, x.httpStatus])).toEqual([
      [a.url, true, 200],
      [b.url, true, 200],
    ])
    expect(a.received).toEqual([
      {
        path: '/xrpc/com.atproto.sync.requestCrawl',
        method: 'POST',
        contentType: 'application/json',
        body: { hostname: 'pds.example.com' },
      },
    ])
    expect(
      status.list().map((row) => [row.url, row.ok, row.httpStatus, row.lastOkAt === row.attemptedAt]),
    ).toEqual([a.url, b.url].sort().map((url) => [url, true, 200, true]))
  })

  test('a refusal and an unreachable crawler are recorded as failures; the last success is kept', async () => {
    let refuse = false
    const flaky = fakeRelay(() =>
      refuse
        ? Response.json({ error: 'HostBanned', message: 'go away' }, { status: 400 })
        : new Response(null),
    )
    relays.push(flaky)
    const closed = fakeRelay()
    closed.stop()
    const crawlers = notifier([flaky.url, closed.url])
    await crawlers.notifyAll()
    refuse = true
    const answers = await crawlers.notifyAll()
    expect(answers[0]).toMatchObject({
      ok: false,
      httpStatus: 400,
      message: '{"error":"HostBanned","message":"go away"}',
    })
    expect(answers[1]).toMatchObject({ ok: false, httpStatus: null })
    expect(answers[1]!.message).toContain('failed')
    const [flakyRow] = status.list().filter((row) => row.url === flaky.url)
    expect(flakyRow!.ok).toBe(false)
    expect(flakyRow!.lastOkAt).not.toBeNull()
    expect(flakyRow!.lastOkAt! <= flakyRow!.attemptedAt).toBe(true)
  })
})

describe('the throttle', () => {
  test('notifies at start, then at most once per interval, announcing activity when it ends', async () => {
    const relay = fakeRelay()
    relays.push(relay)
    let now = 1_000_000
    const timers: { fn: () => void; ms: number; cancelled: boolean }[] = []
    const schedule = (fn: () => void, ms: number) => {
      const timer = { fn, ms, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    }
    let emit: (() => void) | undefined
    const crawlers = notifier([relay.url], { now: () => now, schedule, intervalMs: 60_000 })
    crawlers.start((listener) => {
      emit = listener
      return () => {
        emit = undefined
      }
    })
    await relay.requests(1)

    now += 10_000
    for (let i = 0; i < 5; i++) emit!()
    expect(timers.map((t) => t.ms)).toEqual([50_000])
    expect(relay.received).toHaveLength(1)

    now += 50_000
    timers[0]!.fn()
    await relay.requests(2)
    // Right after a notification: the next activity waits a whole interval.
    emit!()
    expect(timers.map((t) => t.ms)).toEqual([50_000, 60_000])
    // Past the interval with nothing pending, activity notifies at once.
    crawlers.stop()
    expect(timers[1]!.cancelled).toBe(true)
    expect(emit).toBeUndefined()
    now += 120_000
    crawlers.onActivity()
    await relay.requests(3)
    expect(timers).toHaveLength(2)
  })

  test('without crawlers nothing is sent and nothing listens', () => {
    let subscribed = false
    notifier([]).start(() => {
      subscribed = true
      return () => {}
    })
    expect(subscribed).toBe(false)
  })
})
