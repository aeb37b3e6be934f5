/**
 * Crawler notification end to end: a server configured with a relay asks it to crawl at
 * start-up and records the answer, and `perlsky admin request-crawl` asks on demand, prints each
 * relay's answer and the recorded status. The relays are fakes on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CrawlerStatusRows } from '../../src/storage/sync/index.ts'
import { runPerlsky } from '../helpers/cli-run.ts'
import { harnessConfig } from './admin-cli-env.ts'
import { type Harness, startHarness } from './harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-sync-crawlers-'))

/** A relay answering requestCrawl with `status`, remembering the bodies it got. */
function fakeRelay(status: number) {
  const bodies: unknown[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      if (new URL(req.url).pathname !== '/xrpc/com.atproto.sync.requestCrawl')
        return new Response(null, { status: 404 })
      bodies.push(await req.json())
      return status === 200
        ? new Response(null)
        : Response.json({ error: 'HostBanned', message: 'no' }, { status })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, bodies, stop: () => server.stop(true) }
}

const relay = fakeRelay(200)
const banning = fakeRelay(400)
let h: Harness
beforeAll(async () => {
  h = await startHarness({ config: { crawlers: [relay.url] } })
})
afterAll(async () => {
  await h.stop()
  relay.stop()
  banning.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve))
}

const run = (argv: string[]) => runPerlsky(argv, dir)

const configFile = () => harnessConfig(dir, h, { crawlers: [relay.url] })

describe('crawler notification', () => {
  test('the server asks its crawlers to crawl at start-up and records the answer', async () => {
    const status = new CrawlerStatusRows(h.ctx.db)
    await until(() => status.list().length > 0)
    expect(relay.bodies[0]).toEqual({ hostname: 'localhost' })
    expect(status.list()).toEqual([
      expect.objectContaining({ url: relay.url, ok: true, httpStatus: 200, message: null }),
    ])
  })

  test('admin request-crawl asks the configured crawlers and prints their answers', async () => {
    const before = relay.bodies.length
    const { code, stdout } = await run(['admin', 'request-crawl', '--config', configFile()])
    expect(code).toBe(0)
    expect(stdout).toBe(`${relay.url}: ok (HTTP 200)\n`)
    expect(relay.bodies.length).toBe(before + 1)
  })

  test('admin request-crawl URL asks that relay only and exits 1 when it refuses', async () => {
    const { code, stdout } = await run([
      'admin',
      'request-crawl',
      `${banning.url}/`,
      '--config',
      configFile(),
    ])
    expect(code).toBe(1)
    expect(stdout).toBe(`${banning.url}: failed (HTTP 400: {"error":"HostBanned","message":"no"})\n`)
    expect(banning.bodies).toEqual([{ hostname: 'localhost' }])
  })

  test('admin request-crawl --status prints the last answer of each crawler', async () => {
    const { code, stdout } = await run(['admin', 'request-crawl', '--status', '--config', configFile()])
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n').sort()
    expect(lines).toHaveLength(2)
    expect(lines.find((l) => l.startsWith(`${banning.url}: failed (HTTP 400`))).toContain('last ok: never')
    expect(lines.find((l) => l.startsWith(`${relay.url}: ok (HTTP 200) at `))).toMatch(/last ok: \d{4}-/)
  })

  test('admin request-crawl refuses a URL that is not http(s)', async () => {
    const { code, stderr } = await run([
      'admin',
      'request-crawl',
      'ftp://relay.example',
      '--config',
      configFile(),
    ])
    expect(code).toBe(2)
    expect(stderr).toContain('URL must be an http(s) URL')
  })
})
