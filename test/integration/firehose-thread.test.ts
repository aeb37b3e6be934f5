/**
 * The firehose thread (config firehose_port) beyond what firehose.test.ts and
 * firehose-lifecycle.test.ts run on both listeners: the metrics it shares with the main thread,
 * its own 404s, a clean close on shutdown, a port it cannot take, and the replacement of a worker
 * that fails.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { FirehoseThread } from '../../src/http/firehose-thread.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { FirehoseTally } from '../../src/services/metrics/index.ts'
import { signUp } from '../helpers/agents.ts'
import { subscribe } from '../helpers/firehose-client.ts'
import { type Exposition, parseExposition } from '../helpers/prometheus-text.ts'
import { type Harness, startHarness } from './harness.ts'

const TOKEN = 'metrics-token-for-the-firehose-thread'
const POST = 'app.bsky.feed.post'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ config: { firehose_port: 0, metrics_token: TOKEN } })
})
afterAll(() => h.stop())

/** Scrapes until `ready` holds: the thread copies its subscriber count about once a second. */
async function metricsWhen(ready: (m: Exposition) => boolean): Promise<Exposition> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    const m = parseExposition(await res.text())
    if (ready(m) || attempt === 300) return m
    await Bun.sleep(10)
  }
}

describe('the firehose thread', () => {
  test('listens on a port of its own', () => {
    expect(h.firehoseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(h.firehoseUrl).not.toBe(h.url)
  })

  test('counts its subscribers and frames in the server metrics', async () => {
    const before = await metricsWhen(() => true)
    const framesBefore = before.value('perlsky_firehose_frames_total') ?? 0
    const sub = await subscribe(h.firehoseUrl!)
    try {
      const hana = await signUp(h, 'hana')
      await hana.agent.com.atproto.repo.createRecord({
        repo: hana.did,
        collection: POST,
        record: { $type: POST, text: 'counted', createdAt: new Date().toISOString() },
      })
      await sub.waitForSeq(h.ctx.sequencer.lastSeq())
      const m = await metricsWhen((x) => x.value('perlsky_firehose_subscribers') === 1)
      expect(m.value('perlsky_firehose_subscribers')).toBe(1)
      expect(m.value('perlsky_firehose_frames_total')).toBe(framesBefore + sub.frames.length)
    } finally {
      sub.close()
      await sub.closed
    }
    const after = await metricsWhen((x) => x.value('perlsky_firehose_subscribers') === 0)
    expect(after.value('perlsky_firehose_subscribers')).toBe(0)
  })

  test('answers other paths with a JSON 404', async () => {
    const res = await fetch(`${h.firehoseUrl}/xrpc/com.atproto.server.describeServer`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: string }).error).toBe('NotFound')
  })
})

describe('the firehose thread at shutdown and start', () => {
  test('a server stop closes its subscriptions cleanly (1001)', async () => {
    const own = await startHarness({ config: { firehose_port: 0 } })
    const sub = await subscribe(own.firehoseUrl!)
    await own.stop()
    expect((await sub.closed).code).toBe(1001)
  })

  test('a firehose_port already taken stops the start with an error', async () => {
    const taken = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    try {
      await expect(startHarness({ config: { firehose_port: taken.port } })).rejects.toThrow(/firehose thread/)
    } finally {
      taken.stop(true)
    }
  })
})

describe('the firehose thread supervision', () => {
  test('a worker that fails is replaced on the same port, and the failure is logged', async () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'error', format: 'json', sink: (line) => lines.push(line) })
    const thread = new FirehoseThread({
      dbPath: h.ctx.db.path,
      host: '127.0.0.1',
      port: 0,
      backfillWindowMs: 60_000,
      sequencer: h.ctx.sequencer,
      tally: new FirehoseTally(),
      logger,
      workerUrl: new URL('../fakes/firehose-thread-worker.ts', import.meta.url).href,
    })
    await thread.start()
    const url = `http://127.0.0.1:${thread.port}/`
    try {
      expect(await (await fetch(url)).text()).toBe('up')
      await signUp(h, 'ivy') // its events reach the stand-in, which throws
      for (let waited = 0; lines.length === 0 && waited < 5000; waited += 10) await Bun.sleep(10)
      expect(JSON.parse(lines[0]!)).toMatchObject({
        level: 'error',
        msg: 'the firehose thread failed; restarting it',
      })
      let answer: string | undefined
      for (let waited = 0; answer === undefined && waited < 5000; waited += 50) {
        answer = await fetch(url).then(
          (res) => res.text(),
          () => undefined,
        )
        if (answer === undefined) await Bun.sleep(50)
      }
      expect(answer).toBe('up')
    } finally {
      await thread.stop()
    }
  })
})
