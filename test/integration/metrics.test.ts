import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { signUp } from '../helpers/agents.ts'
import { type FirehoseClient, subscribe } from '../helpers/firehose-client.ts'
import { type Exposition, parseExposition } from '../helpers/prometheus-text.ts'
import { type Harness, startHarness } from './harness.ts'

const TOKEN = 'metrics-token-for-the-integration-test'
const NOTE = 'com.example.note'

/** A relay that answers every requestCrawl with 200 and remembers the calls. */
function fakeRelay() {
  const calls: string[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      calls.push(new URL(request.url).pathname)
      return Response.json({})
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, calls, stop: () => server.stop(true) }
}

async function scrape(h: Harness, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return fetch(`${h.url}/metrics`, { headers })
}

async function metrics(h: Harness): Promise<Exposition> {
  const res = await scrape(h)
  expect(res.status).toBe(200)
  return parseExposition(await res.text())
}

/** Scrapes until `ready` holds: some counters are bumped right after the event a test can see. */
async function metricsWhen(h: Harness, ready: (m: Exposition) => boolean): Promise<Exposition> {
  for (let attempt = 0; ; attempt++) {
    const m = await metrics(h)
    if (ready(m) || attempt === 200) return m
    await Bun.sleep(5)
  }
}

describe('GET /metrics with metrics_token', () => {
  const relay = fakeRelay()
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ config: { metrics_token: TOKEN, crawlers: [relay.url] } })
  })
  afterAll(async () => {
    await h.stop()
    relay.stop()
  })

  test('refuses a missing, wrong or inexact bearer token with 401', async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `bearer ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${btoa(`admin:${TOKEN}`)}` },
    ]
    for (const headers of refused) {
      const res = await scrape(h, headers)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"')
      expect(await res.json()).toMatchObject({ error: 'AuthenticationRequired' })
    }
  })

  test('answers the exact token with the text exposition format', async () => {
    const res = await scrape(h)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const m = parseExposition(await res.text())
    const build = m.samples.find((s) => s.name === 'perlsky_build_info')
    expect(build?.labels.version).toBeString()
    expect(build?.value).toBe(1)
    expect(m.types.get('perlsky_xrpc_request_duration_seconds')).toBe('histogram')
    expect(m.has('perlsky_process_resident_memory_bytes')).toBe(true)
    expect(m.has('perlsky_nodejs_eventloop_lag_seconds')).toBe(true)
  })

  test('counts XRPC requests by method and status, and errors by name', async () => {
    const describe = `${h.url}/xrpc/com.atproto.server.describeServer`
    for (let i = 0; i < 3; i++) expect((await fetch(describe)).status).toBe(200)
    expect((await fetch(`${h.url}/xrpc/com.atproto.server.getSession`)).status).toBe(401)
    expect((await fetch(`${h.url}/xrpc/com.example.made.up`)).status).toBeGreaterThanOrEqual(400)
    const m = await metrics(h)
    const count = 'perlsky_xrpc_request_duration_seconds_count'
    expect(m.value(count, { method: 'com.atproto.server.describeServer', status: '200' })).toBe(3)
    expect(m.value(count, { method: 'com.atproto.server.getSession', status: '401' })).toBe(1)
    expect(
      m.value('perlsky_xrpc_errors_total', { method: 'com.atproto.server.getSession', error: 'AuthMissing' }),
    ).toBe(1)
    // An NSID outside the lexicons is counted, but never becomes a label of its own.
    expect(m.value(count, { method: 'unknown' })).toBeGreaterThanOrEqual(1)
    expect(m.samples.some((s) => s.labels.method === 'com.example.made.up')).toBe(false)
    expect(m.value('perlsky_unhandled_exceptions_total')).toBe(0)
  })

  test('reports accounts, the event log, write transactions, blob bytes and firehose traffic', async () => {
    const firehose: FirehoseClient = await subscribe(h.url)
    try {
      const alice = await signUp(h, 'alice')
      const bytes = new TextEncoder().encode('the bytes of a blob')
      const { data } = await alice.agent.com.atproto.repo.uploadBlob(bytes, { encoding: 'text/plain' })
      // A blob is served once a record references it.
      await alice.agent.com.atproto.repo.createRecord({
        repo: alice.did,
        collection: NOTE,
        record: { $type: NOTE, attachment: data.blob },
      })
      const blob = await fetch(
        `${h.url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(alice.did)}&cid=${data.blob.ref.toString()}`,
      )
      expect((await blob.arrayBuffer()).byteLength).toBe(bytes.byteLength)
      const lastSeq = h.ctx.sequencer.lastSeq()
      await firehose.waitForSeq(lastSeq)

      const m = await metrics(h)
      expect(m.value('perlsky_accounts', { status: 'active' })).toBe(1)
      expect(m.value('perlsky_accounts', { status: 'deactivated' })).toBe(0)
      expect(m.value('perlsky_event_log_last_seq')).toBe(lastSeq)
      expect(m.value('perlsky_event_log_events')).toBe(lastSeq)
      expect(m.value('perlsky_db_transaction_duration_seconds_count', { outcome: 'commit' })).toBeGreaterThan(
        0,
      )
      expect(m.value('perlsky_blob_bytes_total', { direction: 'in' })).toBe(bytes.byteLength)
      expect(m.value('perlsky_blob_bytes_total', { direction: 'out' })).toBe(bytes.byteLength)
      expect(m.value('perlsky_firehose_subscribers')).toBe(1)
      expect(m.value('perlsky_firehose_frames_total')).toBe(firehose.frames.length)
      expect(m.value('perlsky_firehose_bytes_total')).toBeGreaterThan(firehose.frames.length)
    } finally {
      firehose.close()
    }
  })

  test('counts requestCrawl calls by crawler and result', async () => {
    const m = await metricsWhen(h, (x) => x.has('perlsky_crawler_requests_total'))
    expect(relay.calls).toContain('/xrpc/com.atproto.sync.requestCrawl')
    expect(m.value('perlsky_crawler_requests_total', { crawler: relay.url, result: 'ok' })).toBeGreaterThan(0)
  })
})

describe('GET /metrics without metrics_token', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.stop())

  test('answers a direct request on the loopback listener', async () => {
    const res = await scrape(h, {})
    expect(res.status).toBe(200)
    expect(parseExposition(await res.text()).has('perlsky_build_info')).toBe(true)
  })

  test('refuses a request relayed by a reverse proxy with 403', async () => {
    const relayed: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { forwarded: 'for=203.0.113.7' },
    ]
    for (const headers of relayed) {
      const res = await scrape(h, headers)
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ error: 'Forbidden' })
    }
  })
})
