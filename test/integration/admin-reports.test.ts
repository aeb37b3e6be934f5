// Moderation reports: with report_service_url "" createReport is answered here and the reports
// are read and resolved with `perlsky admin report`; with a report service configured the same
// call is forwarded to it. A taken-down account's restricted session may report (appeal).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { failure, PASSWORD, type SignedUp, signUp } from '../helpers/agents.ts'
import { runPerlsky } from '../helpers/cli-run.ts'
import { harnessConfig } from './admin-cli-env.ts'
import { type Harness, startHarness } from './harness.ts'

const ADMIN = { headers: { authorization: `Basic ${btoa('admin:integration-test-admin-password')}` } }
const SPAM = 'com.atproto.moderation.defs#reasonSpam'
const REPO_REF = 'com.atproto.admin.defs#repoRef'
const STRONG_REF = 'com.atproto.repo.strongRef'

let h: Harness
let dir: string
let config: string
let alice: SignedUp
let bob: SignedUp

beforeAll(async () => {
  h = await startHarness({ config: { report_service_url: '' } })
  dir = mkdtempSync(join(tmpdir(), 'perlsky-reports-'))
  config = harnessConfig(dir, h, { report_service_url: '' })
  alice = await signUp(h, 'alice')
  bob = await signUp(h, 'bob')
})
afterAll(async () => {
  await h.stop()
  rmSync(dir, { recursive: true, force: true })
})

const report = (agent: AtpAgent, subject: { $type: string } & Record<string, string>, reason?: string) =>
  agent.com.atproto.moderation.createReport({ reasonType: SPAM, subject, reason })

describe('reports kept on this server', () => {
  test('createReport stores an account or record report and answers it back', async () => {
    const { data } = await report(alice.agent, { $type: REPO_REF, did: bob.did }, 'buys followers')
    expect(data).toEqual({
      id: expect.any(Number),
      reasonType: SPAM,
      reason: 'buys followers',
      subject: { $type: REPO_REF, did: bob.did },
      reportedBy: alice.did,
      createdAt: expect.any(String),
    })
    const post = await bob.agent.post({ text: 'cheap followers here', createdAt: new Date().toISOString() })
    const record = await report(alice.agent, { $type: STRONG_REF, uri: post.uri, cid: post.cid })
    expect(record.data.subject).toEqual({ $type: STRONG_REF, uri: post.uri, cid: post.cid })
    const remote = await report(alice.agent, { $type: REPO_REF, did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' })
    expect(remote.data.id).toBeGreaterThan(record.data.id)
  })

  test('needs a signed-in account', async () => {
    const anon = new AtpAgent({ service: h.url })
    expect(await failure(report(anon, { $type: REPO_REF, did: bob.did }))).toMatchObject({ status: 401 })
  })

  test('a taken-down account may appeal with its restricted session', async () => {
    const subject = { $type: REPO_REF, did: alice.did }
    const anon = new AtpAgent({ service: h.url })
    await anon.com.atproto.admin.updateSubjectStatus({ subject, takedown: { applied: true } }, ADMIN)
    const restricted = new AtpAgent({ service: h.url })
    await restricted.login({ identifier: alice.handle, password: PASSWORD, allowTakendown: true })
    const appeal = await restricted.com.atproto.moderation.createReport({
      reasonType: 'com.atproto.moderation.defs#reasonAppeal',
      subject,
      reason: 'this was a mistake',
    })
    expect(appeal.data.reportedBy).toBe(alice.did)
    await anon.com.atproto.admin.updateSubjectStatus({ subject, takedown: { applied: false } }, ADMIN)
    await alice.agent.login({ identifier: alice.handle, password: PASSWORD })
  })

  test('`perlsky admin report list` shows open reports, newest first, and filters by subject', async () => {
    const listed = await runPerlsky(['admin', 'report', 'list', '--config', config, '--json'], dir)
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.stdout) as { id: number; subjectDid: string; reason: string | null }[]
    expect(rows.map((r) => r.subjectDid)).toEqual([
      alice.did,
      'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa',
      bob.did,
      bob.did,
    ])
    const text = await runPerlsky(['admin', 'report', 'list', '--config', config, '--subject', bob.did], dir)
    expect(text.stdout).toContain('buys followers')
    expect(text.stdout).not.toContain('this was a mistake')
    const bad = await runPerlsky(['admin', 'report', 'list', '--config', config, '--subject', 'bob'], dir)
    expect(bad.code).toBe(2)
  })

  test('`perlsky admin report resolve` closes reports; --all still shows them', async () => {
    const rows = h.ctx.moderation.listReports({ limit: 10 })
    const ids = rows.filter((r) => r.subjectDid === bob.did).map((r) => String(r.id))
    const resolved = await runPerlsky(['admin', 'report', 'resolve', ...ids, '--config', config], dir)
    expect(resolved).toMatchObject({ code: 0, stdout: 'resolved 2 of 2 reports\n' })
    expect(h.ctx.moderation.listReports({ limit: 10 }).map((r) => r.subjectDid)).not.toContain(bob.did)
    const all = h.ctx.moderation.listReports({ limit: 10, includeResolved: true })
    expect(all.filter((r) => r.resolvedAt !== null)).toHaveLength(2)
  })
})

describe('sendEmail without SMTP', () => {
  test('leaves the message in the outbox and says it was not sent', async () => {
    const anon = new AtpAgent({ service: h.url })
    const input = {
      recipientDid: bob.did,
      senderDid: alice.did,
      subject: 'About your report',
      content: 'Thanks',
    }
    expect((await anon.com.atproto.admin.sendEmail(input, ADMIN)).data).toEqual({ sent: false })
    const [mail] = h.ctx.accounts.tables.outbox.list(1, 'bob@example.com')
    expect(mail).toMatchObject({ subject: 'About your report', body: 'Thanks', status: 'stored' })
  })
})

describe('a configured report service', () => {
  test('receives createReport instead, through the service proxy', async () => {
    const seen: string[] = []
    const moderation = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (req) => {
        seen.push(new URL(req.url).pathname)
        const body = (await req.json()) as Record<string, unknown>
        const createdAt = new Date().toISOString()
        return Response.json({ id: 7, ...body, reportedBy: alice.did, createdAt })
      },
    })
    const forwarding = await startHarness({
      config: {
        report_service_url: `http://127.0.0.1:${moderation.port}`,
        report_service_did: 'did:web:mod.test',
      },
    })
    try {
      const carol = await signUp(forwarding, 'carol')
      const { data } = await report(carol.agent, { $type: REPO_REF, did: bob.did })
      expect(data.id).toBe(7)
      expect(seen).toEqual(['/xrpc/com.atproto.moderation.createReport'])
      expect(forwarding.ctx.moderation.listReports({ limit: 10 })).toEqual([])
    } finally {
      await forwarding.stop()
      moderation.stop(true)
    }
  })
})
