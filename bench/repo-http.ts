// Repository writes and reads over HTTP against a real server process (the compiled binary, built
// from the working tree first), driven by plain fetch clients in this process: createRecord/s with 1 and 8 clients
// (8 accounts), getRecord/s with 16 clients, p50/p99 latencies, the cost of one write into a 1k-
// and a 100k-record repository (seeded through the repo service, not over HTTP, while the server
// is stopped), and the server's RSS after the run. Runnable alone: `bun run bench/repo-http.ts`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config/load.ts'
import { silentLogger } from '../src/lib/logger.ts'
import { createContext } from '../src/services/context.ts'
import { builtBinary, freePort, rssMibOf, waitForHealth } from './process.ts'

const WRITE_SECONDS = 4
const READ_SECONDS = 3
const WARM_UP_SECONDS = 3
const SIZED_WRITES = 300
const POST = 'app.bsky.feed.post'

interface Account {
  did: string
  accessJwt: string
}

interface Timed {
  per_s: number
  p50_ms: number
  p99_ms: number
}

async function benchRepoHttp(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'perlsky-bench-repo-'))
  const port = freePort()
  const configPath = join(dir, 'perlsky.json')
  writeFileSync(configPath, JSON.stringify(configFor(port)), { mode: 0o600 })
  const base = `http://127.0.0.1:${port}`
  let server: Bun.Subprocess | undefined
  try {
    server = await startServer(configPath, base)
    const writers = await Promise.all(Array.from({ length: 8 }, (_, i) => signUp(base, `writer${i}`)))
    const small = await signUp(base, 'small')
    const big = await signUp(base, 'big')
    await stopServer(server)
    await seed(configPath, dir, [
      [small.did, 1_000],
      [big.did, 100_000],
    ])
    server = await startServer(configPath, base)
    // Warm-up on an account the figures do not use, long enough for JavaScriptCore to finish its
    // optimizing compiles (seconds of a JIT thread on one of the two cores): steady state.
    const warm = await signUp(base, 'warmup')
    await timed(2, WARM_UP_SECONDS, () => createRecord(base, warm))
    const warmKeys = await listKeys(base, warm.did)
    await timed(4, WARM_UP_SECONDS, () => getRecord(base, warm.did, warmKeys[0]!))
    const one = await timed(1, WRITE_SECONDS, () => createRecord(base, writers[0]!))
    const eight = await timed(8, WRITE_SECONDS, (client) => createRecord(base, writers[client]!))
    const keys = await listKeys(base, writers[0]!.did)
    let next = 0
    const reads = await timed(16, READ_SECONDS, () =>
      getRecord(base, writers[0]!.did, keys[next++ % keys.length]!),
    )
    const at1k = await sequential(SIZED_WRITES, () => createRecord(base, small))
    const at100k = await sequential(SIZED_WRITES, () => createRecord(base, big))
    const rss = rssMibOf(server.pid)
    await stopServer(server)
    return {
      ...prefixed('create_1_client', one),
      ...prefixed('create_8_clients', eight),
      ...prefixed('get_record_16_clients', reads),
      write_at_1k_records_p50_ms: at1k.p50_ms,
      write_at_100k_records_p50_ms: at100k.p50_ms,
      write_at_1k_records_p99_ms: at1k.p99_ms,
      write_at_100k_records_p99_ms: at100k.p99_ms,
      server_rss_after_mib: round(rss),
    }
  } finally {
    // A failed run must not leave the server behind (it holds the caller's stderr open).
    if (server?.exitCode === null) await stopServer(server)
    rmSync(dir, { recursive: true, force: true })
  }
}

function configFor(port: number): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port,
    base_url: `http://localhost:${port}`,
    service_handle_domain: 'test',
    account_did_method: 'did:web',
    jwt_secret: 'bench-repo-http-secret-0123456789',
    data_dir: 'data',
    log_level: 'warn',
    // The reference's write limits (a few thousand points an hour) would stop the run in seconds.
    rate_limits_enabled: false,
  }
}

async function startServer(configPath: string, base: string): Promise<Bun.Subprocess> {
  const child = Bun.spawn([await builtBinary(), 'serve', '--config', configPath], {
    stdout: 'ignore',
    stderr: 'inherit',
  })
  await waitForHealth(base, child)
  return child
}

async function stopServer(child: Bun.Subprocess): Promise<void> {
  child.kill('SIGTERM')
  await child.exited
}

/** Fills repositories through the repo service (200 writes per commit) while the server is down. */
async function seed(configPath: string, dir: string, repos: [string, number][]): Promise<void> {
  const config = loadConfig(JSON.parse(readFileSync(configPath, 'utf8')), dir)
  const ctx = createContext(config, { logger: silentLogger() })
  try {
    for (const [did, count] of repos) {
      for (let done = 0; done < count; done += 200) {
        const writes = Array.from({ length: Math.min(200, count - done) }, (_, i) => ({
          $type: 'com.atproto.repo.applyWrites#create',
          collection: POST,
          value: post(done + i),
        }))
        await ctx.repo.applyWrites(did, { repo: did, writes })
      }
    }
  } finally {
    await ctx.close()
  }
}

async function signUp(base: string, name: string): Promise<Account> {
  const res = await xrpc(base, 'com.atproto.server.createAccount', undefined, {
    handle: `${name}.test`,
    email: `${name}@example.com`,
    password: 'bench password 1234',
  })
  return res as Account
}

function createRecord(base: string, account: Account): Promise<unknown> {
  return xrpc(base, 'com.atproto.repo.createRecord', account.accessJwt, {
    repo: account.did,
    collection: POST,
    record: post(Date.now()),
  })
}

function getRecord(base: string, did: string, rkey: string): Promise<unknown> {
  const query = new URLSearchParams({ repo: did, collection: POST, rkey })
  return xrpc(base, `com.atproto.repo.getRecord?${query}`)
}

async function listKeys(base: string, did: string): Promise<string[]> {
  const query = new URLSearchParams({ repo: did, collection: POST, limit: '100' })
  const page = (await xrpc(base, `com.atproto.repo.listRecords?${query}`)) as { records: { uri: string }[] }
  return page.records.map((record) => record.uri.split('/').at(-1)!)
}

async function xrpc(base: string, method: string, token?: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${base}/xrpc/${method}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

function post(n: number) {
  return { $type: POST, text: `bench post ${n}`, createdAt: new Date().toISOString() }
}

/** `clients` loops calling `op` back to back for `seconds`; throughput and latency percentiles. */
async function timed(
  clients: number,
  seconds: number,
  op: (client: number) => Promise<unknown>,
): Promise<Timed> {
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const start = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t = performance.now()
        await op(client)
        latencies.push(performance.now() - t)
      }
    }),
  )
  const elapsed = (performance.now() - start) / 1000
  return { per_s: Math.round(latencies.length / elapsed), ...percentiles(latencies) }
}

async function sequential(count: number, op: () => Promise<unknown>): Promise<Timed> {
  const latencies: number[] = []
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const t = performance.now()
    await op()
    latencies.push(performance.now() - t)
  }
  return { per_s: Math.round(count / ((performance.now() - start) / 1000)), ...percentiles(latencies) }
}

function percentiles(latencies: number[]): { p50_ms: number; p99_ms: number } {
  const sorted = latencies.toSorted((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return { p50_ms: round(at(0.5)), p99_ms: round(at(0.99)) }
}

function prefixed(prefix: string, t: Timed): Record<string, number> {
  return { [`${prefix}_per_s`]: t.per_s, [`${prefix}_p50_ms`]: t.p50_ms, [`${prefix}_p99_ms`]: t.p99_ms }
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}

if (import.meta.main) console.log(JSON.stringify(await benchRepoHttp(), null, 2))
