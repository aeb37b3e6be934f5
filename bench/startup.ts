// Startup of the compiled binary: time from spawn to the first 200 from /_health, and resident
// memory right after (VmRSS from /proc). Median of 9 runs against an already migrated database,
// so schema creation is not counted. Runnable alone: `bun run bench/startup.ts`.
// Most of the RSS is the binary's own pages, and how many of them a start maps depends on how the
// file sits in the page cache (a freshly written file maps more than an old one). The bench
// therefore starts a fresh copy of the binary, as after an install, and its figures compare.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '..')
const BINARY = join(ROOT, 'dist/perlsky')
const RUNS = 9

export async function benchStartup(): Promise<{ cold_start_ms: number; idle_rss_mib: number }> {
  await ensureBinary()
  const dir = mkdtempSync(join(tmpdir(), 'perlsky-bench-startup-'))
  try {
    const binary = join(dir, 'perlsky')
    copyFileSync(BINARY, binary)
    const config = join(dir, 'perlsky.json')
    writeConfig(config, freePort())
    await runToExit([binary, 'migrate', '--config', config])
    const startMs: number[] = []
    const rssMib: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const port = freePort()
      writeConfig(config, port)
      const run = await startOnce(binary, config, port)
      startMs.push(run.ms)
      rssMib.push(run.rssMib)
    }
    return { cold_start_ms: round(median(startMs)), idle_rss_mib: round(median(rssMib)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function startOnce(
  binary: string,
  config: string,
  port: number,
): Promise<{ ms: number; rssMib: number }> {
  const started = performance.now()
  const child = Bun.spawn([binary, 'serve', '--config', config], { stdout: 'ignore', stderr: 'ignore' })
  try {
    await waitForHealth(`http://127.0.0.1:${port}/_health`, child)
    const ms = performance.now() - started
    return { ms, rssMib: rssMibOf(child.pid) }
  } finally {
    child.kill('SIGTERM')
    await child.exited
  }
}

async function waitForHealth(url: string, child: Bun.Subprocess): Promise<void> {
  for (let attempt = 0; attempt < 5000; attempt++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`)
    const res = await fetch(url).catch(() => undefined)
    if (res?.status === 200) return
    await Bun.sleep(2)
  }
  throw new Error('serve did not become healthy')
}

function rssMibOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1])
  return kib / 1024
}

function writeConfig(path: string, port: number): void {
  const json = {
    port,
    base_url: `http://localhost:${port}`,
    service_handle_domain: 'test',
    account_did_method: 'did:web',
    jwt_secret: 'bench-startup-secret-0123456789',
    data_dir: 'data',
    log_level: 'warn',
  }
  writeFileSync(path, JSON.stringify(json), { mode: 0o600 })
}

function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = listener.port
  listener.stop(true)
  return port
}

async function ensureBinary(): Promise<void> {
  if (!existsSync(BINARY)) await runToExit(['bun', 'run', 'build.ts'])
}

async function runToExit(cmd: string[]): Promise<void> {
  const child = Bun.spawn(cmd, { cwd: ROOT, stdout: 'ignore', stderr: 'pipe' })
  if ((await child.exited) !== 0) {
    throw new Error(`${cmd.join(' ')} failed: ${await new Response(child.stderr).text()}`)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}

if (import.meta.main) console.log(JSON.stringify(await benchStartup(), null, 2))
