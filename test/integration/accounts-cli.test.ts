// The admin commands for accounts, run in-process against the database of a running server:
// create-invite (the seed's `INVITE_CODE=$(perlsky admin create-invite)`), email outbox, and
// email test against a real SMTP server on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { type FakeSmtp, startFakeSmtp } from '../fakes/smtp-server.ts'
import { runPerlsky } from '../helpers/cli-run.ts'
import { harnessConfig } from './admin-cli-env.ts'
import { type Harness, startHarness } from './harness.ts'

const FROM = 'pds@example.com'
const dir = mkdtempSync(join(tmpdir(), 'perlsky-accounts-cli-'))

let smtp: FakeSmtp
let h: Harness
beforeAll(async () => {
  smtp = await startFakeSmtp({ user: 'mailer', pass: 'smtp-secret' })
  h = await startHarness({ config: { invite_code_required: true } })
})
afterAll(async () => {
  await h.stop()
  await smtp.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A config file for the harness's database (mode 0600), with extra keys. */
const configFile = (extra: Record<string, unknown> = {}) => harnessConfig(dir, h, extra)
const run = (argv: string[]) => runPerlsky(argv, dir)

describe('perlsky admin create-invite', () => {
  test('prints exactly one code, usable to sign up on the running server', async () => {
    const r = await run(['admin', 'create-invite', '--config', configFile()])
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toMatch(/^perlsky-[0-9a-f]{12}\n$/)
    const agent = new AtpAgent({ service: h.url })
    await agent.createAccount({
      handle: 'invited.test',
      password: 'long enough password',
      inviteCode: r.stdout.trim(),
    })
    expect(agent.session?.handle).toBe('invited.test')
  })

  test('mints a code with several uses for an account', async () => {
    const did = 'did:plc:ownerownerownerownerowne'
    const r = await run(['admin', 'create-invite', '-n', '3', '--for-account', did, '--config', configFile()])
    expect(r.code).toBe(0)
    const [listed] = h.ctx.accounts.invites.listForAccount(did, true)
    expect(listed).toMatchObject({ code: r.stdout.trim(), available: 3 })
  })

  test('refuses a bad --use-count or --for-account with exit 2', async () => {
    for (const args of [
      ['--use-count', '0'],
      ['--use-count', 'many'],
      ['--for-account', 'alice'],
    ]) {
      const r = await run(['admin', 'create-invite', ...args, '--config', configFile()])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
    }
  })

  test('works on a database no server has opened yet', async () => {
    const fresh = join(dir, 'fresh')
    const r = await run([
      'admin',
      'create-invite',
      '--config',
      configFile({ data_dir: fresh, db_path: undefined }),
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^perlsky-[0-9a-f]{12}\n$/)
  })
})

describe('perlsky admin email', () => {
  test('test sends through SMTP and prints the server reply', async () => {
    const config = configFile({ email_smtp_url: smtp.url, email_from_address: FROM })
    const r = await run(['admin', 'email', 'test', 'ops@example.com', '--config', config])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('sent to ops@example.com; the SMTP server replied: 250 OK: message queued\n')
    const mail = await smtp.nextMailTo('ops@example.com')
    expect(mail).toMatchObject({ from: FROM, subject: 'Test message from localhost' })
  })

  test('test prints exactly why sending failed and exits 1', async () => {
    const config = configFile({
      email_smtp_url: smtp.url.replace(':smtp-secret@', ':wrong@'),
      email_from_address: FROM,
    })
    const r = await run(['admin', 'email', 'test', 'ops@example.com', '--config', config])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'perlsky: sending to ops@example.com failed: EAUTH during AUTH PLAIN: Invalid login: 535 Invalid username or password\n',
    )
  })

  test('test says so when email is not configured', async () => {
    const r = await run(['admin', 'email', 'test', 'ops@example.com', '--config', configFile()])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('email is not configured')
  })

  test('outbox shows the composed messages, newest first, with their status', async () => {
    const agent = new AtpAgent({ service: h.url })
    const inviteCode = h.ctx.accounts.invites.mint({ useCount: 1 })
    await agent.createAccount({
      handle: 'olive.test',
      email: 'olive@example.com',
      password: 'long enough password',
      inviteCode,
    })
    await agent.com.atproto.server.requestEmailConfirmation()
    const r = await run(['admin', 'email', 'outbox', '--to', 'OLIVE@example.com', '--config', configFile()])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('stored  to olive@example.com  (confirm_email)')
    expect(r.stdout).toContain('Subject: Confirm your email address (localhost)')
    expect(r.stdout).toMatch(/ {4}[A-Z2-7]{5}-[A-Z2-7]{5}\n/)
    const json = await run(['admin', 'email', 'outbox', '--json', '-n', '1', '--config', configFile()])
    expect(JSON.parse(json.stdout)).toHaveLength(1)
  })
})
