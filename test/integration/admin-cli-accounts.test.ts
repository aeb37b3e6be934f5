// `perlsky admin account …` and `perlsky admin invite …` against a running server (invite codes
// required): accounts created without an invite, listed and inspected, taken down while the
// server serves them (reads and sessions refused, #account on the firehose), restored, given a
// new password, deleted; invite codes listed and disabled.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { failure } from '../helpers/agents.ts'
import { runPerlsky } from '../helpers/cli-run.ts'
import { type FirehoseClient, subscribe, type WireFrame } from '../helpers/firehose-client.ts'
import { harnessConfig } from './admin-cli-env.ts'
import { type Harness, startHarness } from './harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-admin-accounts-'))
let h: Harness
let config: string
let firehose: FirehoseClient

beforeAll(async () => {
  h = await startHarness({ config: { invite_code_required: true } })
  config = harnessConfig(dir, h)
  firehose = await subscribe(h.url)
})
afterAll(async () => {
  firehose.close()
  await h.stop()
  rmSync(dir, { recursive: true, force: true })
})

function admin(...argv: string[]) {
  return runPerlsky(['admin', ...argv, '--config', config], dir)
}

/** Creates an account through the CLI and returns it logged in. */
async function created(
  name: string,
): Promise<{ did: string; handle: string; password: string; agent: AtpAgent }> {
  const r = await admin('account', 'create', name, '--email', `${name}@example.com`)
  expect(r).toMatchObject({ code: 0, stderr: '' })
  const [, handle, did] = r.stdout.match(/^created (\S+) \((did:\S+)\)\n/)!
  const password = r.stdout.match(/^password: (\S+)$/m)![1]!
  const agent = new AtpAgent({ service: h.url })
  await agent.login({ identifier: handle!, password })
  return { did: did!, handle: handle!, password, agent }
}

async function xrpcStatus(
  nsid: string,
  params: Record<string, string>,
): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${h.url}/xrpc/${nsid}?${new URLSearchParams(params)}`)
  const body = (await res.json()) as { error?: string }
  return { status: res.status, ...(body.error === undefined ? {} : { error: body.error }) }
}

describe('perlsky admin account create, list and info', () => {
  test('create needs no invite code and prints a generated password once', async () => {
    const carol = await created('carol')
    expect(carol.handle).toBe('carol.test')
    expect(carol.password).toMatch(/^[\w-]{24}$/)
    const given = await admin('account', 'create', 'dave.test', '--password', 'a chosen password', '--json')
    expect(given.code).toBe(0)
    expect(JSON.parse(given.stdout)).toEqual({ did: expect.stringMatching(/^did:web:/), handle: 'dave.test' })
    await new AtpAgent({ service: h.url }).login({ identifier: 'dave.test', password: 'a chosen password' })
  })

  test('create refuses a taken handle with the sign-up error (exit 1)', async () => {
    const r = await admin('account', 'create', 'carol')
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('perlsky: Handle already taken: carol.test\n')
  })

  test('list prints every account with its status, as text or JSON', async () => {
    const text = await admin('account', 'list')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^did:web:\S+ {2}carol\.test {2}active {2}carol@example\.com {2}\d{4}-/m)
    expect(text.stdout).toMatch(/ {2}dave\.test {2}active {2}- {2}/)
    const json = JSON.parse((await admin('account', 'list', '--json')).stdout)
    expect(json.map((a: { handle: string }) => a.handle).sort()).toEqual(['carol.test', 'dave.test'])
    expect(json[0]).toMatchObject({ status: 'active', invitesDisabled: false })
  })

  test('info shows one account by handle or DID; an unknown one exits 1', async () => {
    const text = await admin('account', 'info', 'carol.test')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('email     carol@example.com (unconfirmed)\n')
    expect(text.stdout).toContain('status    active\n')
    const { did } = JSON.parse((await admin('account', 'info', 'carol.test', '--json')).stdout)
    const json = JSON.parse((await admin('account', 'info', did, '--json')).stdout)
    expect(json).toMatchObject({ did, handle: 'carol.test', status: 'active', repo: { records: 0 } })
    const missing = await admin('account', 'info', 'nobody.test')
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'perlsky: no account nobody.test on this server\n',
    })
  })
})

describe('perlsky admin account takedown, untakedown, reset-password, delete', () => {
  test('takedown while the server runs: reads and sessions are refused, #account goes out', async () => {
    const erin = await created('erin')
    const post = await erin.agent.post({ text: 'soon gone' })
    const [, , rkey] = post.uri.replace('at://', '').split('/')
    const read = { repo: erin.did, collection: 'app.bsky.feed.post', rkey: rkey! }
    expect((await xrpcStatus('com.atproto.repo.getRecord', read)).status).toBe(200)

    const r = await admin('account', 'takedown', 'erin.test', '--ref', 'TICKET-1')
    expect(r).toEqual({
      code: 0,
      stdout: `took down erin.test (${erin.did}); reference: TICKET-1\n`,
      stderr: '',
    })
    expect(await xrpcStatus('com.atproto.sync.getRepo', { did: erin.did })).toEqual({
      status: 400,
      error: 'RepoTakendown',
    })
    expect((await xrpcStatus('com.atproto.repo.getRecord', read)).status).toBe(400)
    // The takedown ended the session; a new login is refused as a takedown.
    expect((await failure(erin.agent.com.atproto.server.getSession())).error).toBe('ExpiredToken')
    const login = new AtpAgent({ service: h.url }).login({ identifier: 'erin.test', password: erin.password })
    expect((await failure(login)).error).toBe('AccountTakedown')
    const isTakedown = (f: WireFrame) => f.body.did === erin.did && f.body.status === 'takendown'
    expect((await firehose.waitFor(isTakedown)).body).toMatchObject({ active: false })
    const info = await admin('account', 'info', erin.did)
    expect(info.stdout).toContain('status    takendown (ref TICKET-1)\n')

    const lifted = await admin('account', 'untakedown', erin.did)
    expect(lifted.stdout).toBe(`lifted the takedown of erin.test (${erin.did})\n`)
    expect((await xrpcStatus('com.atproto.repo.getRecord', read)).status).toBe(200)
    await firehose.waitFor(
      (f) => f.header.t === '#account' && f.body.did === erin.did && f.body.active === true,
    )
  })

  test('reset-password prints a new password once and ends the sessions', async () => {
    const fred = await created('fred')
    const r = await admin('account', 'reset-password', 'fred.test')
    expect(r.code).toBe(0)
    expect(r.stdout).toStartWith(`new password for fred.test (${fred.did})\npassword: `)
    const password = r.stdout.match(/^password: (\S+)$/m)![1]!
    expect((await failure(fred.agent.com.atproto.server.getSession())).error).toBe('ExpiredToken')
    const old = new AtpAgent({ service: h.url }).login({ identifier: 'fred.test', password: fred.password })
    expect((await failure(old)).status).toBe(401)
    await new AtpAgent({ service: h.url }).login({ identifier: 'fred.test', password })
  })

  test('delete needs --yes, then removes the account and its repository', async () => {
    const gina = await created('gina')
    const refused = await admin('account', 'delete', 'gina.test')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('confirm with --yes')
    const r = await admin('account', 'delete', 'gina.test', '--yes')
    expect(r).toEqual({ code: 0, stdout: `deleted gina.test (${gina.did})\n`, stderr: '' })
    expect((await xrpcStatus('com.atproto.sync.getRepo', { did: gina.did })).error).toBe('RepoNotFound')
    expect((await admin('account', 'info', gina.did)).code).toBe(1)
    const event = await firehose.waitFor((f) => f.body.did === gina.did && f.body.status === 'deleted')
    expect(event.header.t).toBe('#account')
  })
})

describe('perlsky admin invite', () => {
  test('list shows the minted codes; disable makes a code unusable for sign-up', async () => {
    const code = (await admin('create-invite', '-n', '2')).stdout.trim()
    const list = await admin('invite', 'list')
    expect(list.stdout).toContain(`${code}  0/2 used  available  for admin  `)
    const json = JSON.parse((await admin('invite', 'list', '--json')).stdout)
    expect(json.find((c: { code: string }) => c.code === code)).toMatchObject({
      available: 2,
      disabled: false,
    })

    const r = await admin('invite', 'disable', code.toUpperCase())
    expect(r).toEqual({ code: 0, stdout: `disabled ${code}\n`, stderr: '' })
    expect((await admin('invite', 'list')).stdout).toContain(`${code}  0/2 used  disabled`)
    const signup = new AtpAgent({ service: h.url }).createAccount({
      handle: 'hank.test',
      password: 'long enough password',
      inviteCode: code,
    })
    expect((await failure(signup)).error).toBe('InvalidInviteCode')
  })

  test('disable names the codes that do not exist and exits 1', async () => {
    const r = await admin('invite', 'disable', 'perlsky-000000000000')
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'perlsky: no invite code perlsky-000000000000\n' })
    expect((await admin('invite', 'disable')).code).toBe(2)
  })
})
