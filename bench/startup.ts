// Startup of the compiled binary: time from spawn to the first 200 from /_health, and resident
// memory right after (VmRSS from /proc). Median of 9 runs against an already migrated database,
// so schema creation is not counted. Runnable alone: `bun run bench/startup.ts`.
// Most of the RSS is the binary's own pages, and how many of them a start maps depends on how the
// file sits in the page cache (a freshly written file maps more than an old one). The bench
// therefore starts a fresh copy of the binary, as after an install, and its figures compare.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { builtBinary, freePort, rssMibOf, waitForHealth } from './process.ts'

const RUNS = 9

async function benchStartup(): Promise<{ cold_start_ms: number; idle_rss_mib: number }> {
  const built = await builtBinary()
  const dir = mkdtempSync(join(tmpdir(), 'perlsky-bench-startup-'))
  try {
    const binary = join(dir, 'perlsky')
    copyFileSync(built, binary)
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
    await waitForHealth(`http://127.0.0.1:${port}`, child)
    const ms = performance.now() - started
    return { ms, rssMib: rssMibOf(child.pid) }
  } finally {
    child.kill('SIGTERM')
    await child.exited
  }
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

async function runToExit(cmd: string[]): Promise<void> {
  const child = Bun.spawn(cmd, { stdout: 'ignore', stderr: 'pipe' })
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
