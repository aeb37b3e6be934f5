// Firehose and export figures against a real server in this process, with the subscribers in a
// separate process (as relays are):
//   - createRecord over HTTP, writes/s with 0, 1 and 50 subscribers connected to the firehose
//     thread (50 must cost writers nothing measurable), and with 50 on the main listener;
//   - latency from the createRecord response to the event's arrival at a subscriber, p50/p99
//     (0 when the event arrived before the response; clocks are the same machine's);
//   - the CPU time of this process's main thread per write (server and writer: what the firehose
//     thread must keep off it), without and with 50 subscribers;
//   - events/s delivered to 1 and to 50 subscribers;
//   - getRepo of a 10k- and a 100k-record repository: ms (median of 5, after 3 untimed) and MB/s;
//   - the server process's RSS at the end.
// Runnable alone: `bun run bench/firehose.ts`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadConfig } from '../src/config/load.ts'
import { startServer } from '../src/http/server.ts'
import { silentLogger } from '../src/lib/logger.ts'
import { type AppContext, createContext } from '../src/services/context.ts'
import { freePort } from './process.ts'

const WRITES = 1000
/** Alternating runs without and with 50 subscribers. */
const ROUNDS = 5
const EXPORT_RUNS = 5
const EXPORT_WARM_UP_RUNS = 3
const FRAMES_MODULE = resolve(import.meta.dir, '../src/core/firehose/frames.ts')

interface Account {
  did: string
  jwt: string
}

async function benchFirehose(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'perlsky-bench-firehose-'))
  const port = freePort()
  const config = loadConfig(
    {
      host: '127.0.0.1',
      port,
      base_url: `http://localhost:${port}`,
      service_handle_domain: 'test',
      account_did_method: 'did:web',
      jwt_secret: 'bench-firehose-secret-0123456789',
      data_dir: '.',
      log_level: 'error',
      // The writers here go far past the reference rate limits on purpose.
      rate_limits_enabled: false,
      // Subscribers connect to the firehose thread, as behind the recommended proxy routes.
      firehose_port: 0,
    },
    dir,
  )
  const ctx = createContext(config, { logger: silentLogger() })
  const server = await startServer(ctx)
  const subscriberScript = join(dir, 'subscriber.ts')
  writeFileSync(subscriberScript, SUBSCRIBER_SOURCE)
  try {
    const writer = await createAccount(server.url, 'writer')
    await writeRun(server.url, writer) // warm-up: JIT and page cache
    const firehoseUrl = server.firehoseUrl as string
    const subscribed = (url: string, count: number) =>
      withSubscribers(subscriberScript, url, count, () => writeRun(server.url, writer))
    // This machine's speed drifts from one second to the next: alternate the runs being compared.
    const alone: WriteRun[] = []
    const fifty: Awaited<ReturnType<typeof subscribed>>[] = []
    for (let round = 0; round < ROUNDS; round++) {
      alone.push(await writeRun(server.url, writer))
      fifty.push(await subscribed(firehoseUrl, 50))
    }
    const one = await subscribed(firehoseUrl, 1)
    const fiftyOnMain = await subscribed(server.url, 50)
    const latencies = one.arrivals.flatMap(({ rev, at }) => {
      const answered = one.result.answeredAt.get(rev)
      return answered === undefined ? [] : [Math.max(0, at - answered)]
    })
    const aloneRate = median(alone.map((run) => run.writesPerSecond))
    const fiftyRate = median(fifty.map(({ result }) => result.writesPerSecond))
    return {
      writes_per_s_no_subscribers: aloneRate,
      writes_per_s_1_subscriber: one.result.writesPerSecond,
      writes_per_s_50_subscribers: fiftyRate,
      // Each round's pair, so a drift of the machine's speed between rounds cancels out.
      writes_cost_of_50_subscribers_pct: round(
        100 * median(fifty.map(({ result }, i) => 1 - result.writesPerSecond / alone[i]!.writesPerSecond)),
      ),
      server_thread_cpu_ms_per_write_no_subscribers: median(alone.map((run) => run.threadCpuMs)),
      server_thread_cpu_ms_per_write_50_subscribers: median(fifty.map(({ result }) => result.threadCpuMs)),
      writes_per_s_50_subscribers_main_listener: fiftyOnMain.result.writesPerSecond,
      commit_to_subscriber_p50_ms: round(percentile(latencies, 0.5)),
      commit_to_subscriber_p99_ms: round(percentile(latencies, 0.99)),
      events_per_s_1_subscriber: Math.round(WRITES / one.seconds),
      events_per_s_50_subscribers: median(fifty.map((run) => Math.round((50 * WRITES) / run.seconds))),
      ...(await benchExport(ctx, server.url, 10_000, 'get_repo_10k')),
      ...(await benchExport(ctx, server.url, 100_000, 'get_repo_100k')),
      rss_mib: round(process.memoryUsage().rss / 1024 / 1024),
    }
  } finally {
    await server.stop()
    await ctx.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

interface WriteRun {
  writesPerSecond: number
  /** CPU time of this process's main thread (server and writer) per write, in ms. */
  threadCpuMs: number
  /** When each commit's createRecord answer arrived, by rev (epoch ms, fractional). */
  answeredAt: Map<string, number>
}

async function writeRun(url: string, account: Account): Promise<WriteRun> {
  const answeredAt = new Map<string, number>()
  const cpuBefore = mainThreadCpuMs()
  const started = performance.now()
  for (let i = 0; i < WRITES; i++) {
    const res = await xrpc(url, 'com.atproto.repo.createRecord', account.jwt, {
      repo: account.did,
      collection: 'app.bsky.feed.post',
      record: { $type: 'app.bsky.feed.post', text: `bench ${i}`, createdAt: new Date().toISOString() },
    })
    answeredAt.set((res as { commit: { rev: string } }).commit.rev, now())
  }
  return {
    writesPerSecond: Math.round(WRITES / ((performance.now() - started) / 1000)),
    threadCpuMs: round((mainThreadCpuMs() - cpuBefore) / WRITES),
    answeredAt,
  }
}

/** User + system CPU of the main thread (Linux /proc; clock ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * Runs `body` while `count` subscribers in a child process read the live stream; returns the
 * arrival times the first subscriber saw and how long until every subscriber had all events.
 */
async function withSubscribers(script: string, url: string, count: number, body: () => Promise<WriteRun>) {
  // Subscribers stand for relays on other machines. Fifty of them reading here would take a
  // good part of this machine's CPU from the server, so they run at the lowest priority, on the
  // CPU the server leaves. A single subscriber runs at normal priority: it times the arrivals,
  // and takes little.
  const nice = count > 1 ? ['nice', '-n', '19'] : []
  const args = [script, url, String(count), String(WRITES), FRAMES_MODULE]
  const child = Bun.spawn([...nice, 'bun', 'run', ...args], { stdout: 'pipe', stderr: 'inherit' })
  const lines = lineReader(child.stdout)
  if ((await lines.next()).value !== 'ready') throw new Error('subscribers did not start')
  const started = now()
  const result = await body()
  const report = JSON.parse((await lines.next()).value as string) as {
    arrivals: { rev: string; at: number }[]
    doneAt: number
  }
  await child.exited
  return { result, arrivals: report.arrivals, seconds: (report.doneAt - started) / 1000 }
}

/** Builds a repository of `records` records through the repo service, then times getRepo. */
async function benchExport(ctx: AppContext, url: string, records: number, name: string) {
  const account = await createAccount(url, `export${records}`)
  for (let done = 0; done < records; done += 200) {
    const writes = Array.from({ length: Math.min(200, records - done) }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create',
      collection: 'app.bsky.feed.post',
      value: { $type: 'app.bsky.feed.post', text: `post ${done + i}`, createdAt: new Date().toISOString() },
    }))
    await ctx.repo.applyWrites(account.did, { repo: account.did, writes })
  }
  const timings: number[] = []
  let bytes = 0
  // The first exports run the export code cold (interpreter, then JIT compiles); a relay's
  // getRepo meets a server that has been running: time the steady state.
  for (let run = 0; run < EXPORT_WARM_UP_RUNS; run++)
    await (await fetch(getRepoUrl(url, account.did))).arrayBuffer()
  for (let run = 0; run < EXPORT_RUNS; run++) {
    const started = performance.now()
    const res = await fetch(getRepoUrl(url, account.did))
    bytes = (await res.arrayBuffer()).byteLength
    timings.push(performance.now() - started)
  }
  const ms = percentile(timings, 0.5)
  return { [`${name}_ms`]: round(ms), [`${name}_mb_per_s`]: round(bytes / 1e6 / (ms / 1000)) }
}

function getRepoUrl(url: string, did: string): string {
  return `${url}/xrpc/com.atproto.sync.getRepo?did=${encodeURIComponent(did)}`
}

async function createAccount(url: string, name: string): Promise<Account> {
  const res = (await xrpc(url, 'com.atproto.server.createAccount', undefined, {
    handle: `${name}.test`,
    email: `${name}@example.com`,
    password: 'bench password 0123',
  })) as { did: string; accessJwt: string }
  return { did: res.did, jwt: res.accessJwt }
}

async function xrpc(url: string, nsid: string, jwt: string | undefined, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}/xrpc/${nsid}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${nsid}: ${res.status} ${await res.text()}`)
  return res.json()
}

async function* lineReader(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true })
    for (let at = buffered.indexOf('\n'); at !== -1; at = buffered.indexOf('\n')) {
      yield buffered.slice(0, at)
      buffered = buffered.slice(at + 1)
    }
  }
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
function now(): number {
  return performance.timeOrigin + performance.now()
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}

function median(values: number[]): number {
  return percentile(values, 0.5)
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}

// The subscriber process: opens COUNT live subscriptions, prints "ready", and once every one has
// EXPECTED frames prints the first one's arrival times (by rev) and the time it finished.
const SUBSCRIBER_SOURCE = `
const [url, countArg, expectedArg, framesModule] = process.argv.slice(2)
const { decodeFrame } = await import(framesModule)
const count = Number(countArg)
const expected = Number(expectedArg)
const now = () => performance.timeOrigin + performance.now()
const arrivals = []
let complete = 0
const sockets = await Promise.all(Array.from({ length: count }, (_, i) => new Promise((resolve) => {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/xrpc/com.atproto.sync.subscribeRepos')
  ws.binaryType = 'arraybuffer'
  let frames = 0
  ws.onopen = () => resolve(ws)
  ws.onmessage = (event) => {
    if (i === 0) arrivals.push({ rev: decodeFrame(new Uint8Array(event.data)).body.rev, at: now() })
    if (++frames === expected && ++complete === count) {
      console.log(JSON.stringify({ arrivals, doneAt: now() }))
      process.exit(0)
    }
  }
})))
console.log('ready')
`

if (import.meta.main) console.log(JSON.stringify(await benchFirehose(), null, 2))
