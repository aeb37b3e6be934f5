// The compiled binary end to end: migrate -> serve -> admin -> HTTP -> SIGTERM, and the refusals
// an operator meets first (broken config, no config). Builds dist/perlsky when it is missing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { subscribe } from '../helpers/firehose-client.ts'

const ROOT = resolve(import.meta.dir, '../..')
const BINARY = join(ROOT, 'dist/perlsky')
const dir = mkdtempSync(join(tmpdir(), 'perlsky-e2e-'))
const children: Bun.Subprocess[] = []

beforeAll(async () => {
  if (existsSync(BINARY)) return
  const build = Bun.spawn(['bun', 'run', 'build.ts'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
  if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`)
}, 120_000)

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** A port that was free a moment ago: bind port 0, read the port, release it. */
function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = listener.port
  listener.stop(true)
  return port
}

function writeConfig(name: string, json: Record<string, unknown>): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(json), { mode: 0o600 })
  return path
}

function spawn(args: string[]): Bun.Subprocess<'ignore', 'pipe', 'pipe'> {
  // A bare environment: no PERLSKY_CONFIG leaking in from the developer's shell.
  const child = Bun.spawn([BINARY, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  children.push(child)
  return child
}

async function runToEnd(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(args)
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { code, stdout, stderr }
}

/** Polls until `done` holds, for at most 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > 10_000) throw new Error('timed out')
    await Bun.sleep(10)
  }
}

/** Polls until the server answers /_health (bounded attempts, short pause between them). */
async function waitForHealth(url: string, child: Bun.Subprocess): Promise<Response> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`serve exited early with ${child.exitCode}`)
    const res = await fetch(`${url}/_health`).catch(() => undefined)
    if (res?.status === 200) return res
    await Bun.sleep(50)
  }
  throw new Error('serve did not answer /_health')
}

/** Signs up and writes `count` posts (each a signed commit). */
async function writeRecords(url: string, count: number): Promise<void> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${url}/xrpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
  const account = (await (
    await post('com.atproto.server.createAccount', {
      handle: 'writer.test',
      email: 'writer@example.com',
      password: 'e2e writer password',
    })
  ).json()) as { did: string; accessJwt: string }
  for (let i = 0; i < count; i++) {
    const record = { $type: 'app.bsky.feed.post', text: `post ${i}`, createdAt: new Date().toISOString() }
    const res = await post(
      'com.atproto.repo.createRecord',
      { repo: account.did, collection: 'app.bsky.feed.post', record },
      account.accessJwt,
    )
    expect(res.status).toBe(200)
  }
}

/** The names of a process's threads (Linux). */
function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((task) =>
    readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim(),
  )
}

describe('the compiled binary', () => {
  test('prints its version with the build commit', async () => {
    const { code, stdout } = await runToEnd(['version'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^perlsky \d+\.\d+\.\d+(\+[0-9a-f]+)?\n$/)
  })

  test('migrates, serves HTTP, answers admin commands meanwhile and stops cleanly on SIGTERM', async () => {
    const port = freePort()
    const firehosePort = freePort()
    const config = writeConfig('perlsky.json', {
      host: '127.0.0.1',
      port,
      firehose_port: firehosePort,
      base_url: `http://localhost:${port}`,
      service_handle_domain: 'test',
      account_did_method: 'did:web',
      jwt_secret: 'e2e-jwt-secret-0123456789abcdef',
      data_dir: 'data',
    })
    const migrated = await runToEnd(['migrate', '--config', config])
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).toStartWith('applied 001 initial\n')

    const server = spawn(['serve', '--config', config])
    const url = `http://127.0.0.1:${port}`
    await waitForHealth(url, server)

    const describe = await fetch(`${url}/xrpc/com.atproto.server.describeServer`)
    expect(describe.status).toBe(200)
    const body = (await describe.json()) as { did: string; availableUserDomains: string[] }
    expect(body.did).toStartWith('did:web:localhost')
    expect(body.availableUserDomains).toEqual(['.test'])
    const firehose = await subscribe(`http://127.0.0.1:${firehosePort}`)
    await writeRecords(url, 3)
    // The account's first commit and the three posts, sent by the firehose thread.
    await until(() => firehose.frames.filter((frame) => frame.header.t === '#commit').length === 4)
    // The checkpoint worker, the signature nonce worker and the firehose thread (the last two are
    // entry points of their own in the binary).
    expect(threadNames(server.pid).filter((name) => name === 'Worker')).toHaveLength(3)

    // A second process on the same database while the server runs.
    const check = await runToEnd(['admin', 'config-check', '--config', config])
    expect(check.code).toBe(0)
    expect(check.stdout).not.toContain('e2e-jwt-secret')
    expect((await runToEnd(['migrate', 'status', '--config', config])).stdout).toMatch(
      /^001 initial\s+applied/m,
    )

    server.kill('SIGTERM')
    const exited = await Promise.race([server.exited, Bun.sleep(5000).then(() => 'still running')])
    expect(exited).toBe(0)
    expect((await firehose.closed).code).toBe(1001)
    expect(await new Response(server.stdout).text()).toContain(`listening on ${url}`)
    const log = await new Response(server.stderr).text()
    expect(log).not.toContain('nonce worker failed')
    expect(log).not.toContain('firehose thread failed')
  })

  test('serve with a broken config exits 2 and names the key', async () => {
    const config = writeConfig('broken.json', {
      base_url: 'https://pds.example.com/path',
      service_handle_domain: 'pds.example.com',
      account_did_method: 'did:web',
      jwt_secret: 'broken-config-secret-0123456789',
      data_dir: 'data',
    })
    const { code, stderr } = await runToEnd(['serve', '--config', config])
    expect(code).toBe(2)
    expect(stderr).toContain('config error: base_url:')
    expect(stderr).not.toContain('broken-config-secret')
  })

  test('serve without any config exits 2 instead of falling back to the dev config', async () => {
    const { code, stderr } = await runToEnd(['serve'])
    expect(code).toBe(2)
    expect(stderr).toContain('no config')
  })
})
