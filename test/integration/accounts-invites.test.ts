// Sign-up with invite_code_required: the InvalidInviteCode cases, and invite codes minted over
// XRPC with admin auth, driven by @atproto/api over a real port.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { errorOf } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ config: { invite_code_required: true } })
})
afterAll(() => h.stop())

const PASSWORD = 'correct horse battery staple'
const ADMIN = `Basic ${Buffer.from('admin:integration-test-admin-password').toString('base64')}`

function signUp(handle: string, inviteCode?: string) {
  return new AtpAgent({ service: h.url }).createAccount({ handle, password: PASSWORD, inviteCode })
}

function adminAgent(authorization = ADMIN): AtpAgent {
  const agent = new AtpAgent({ service: h.url })
  agent.setHeader('authorization', authorization)
  return agent
}

describe('sign-up with invite_code_required', () => {
  test('describeServer says invites are required', async () => {
    const { data } = await new AtpAgent({ service: h.url }).com.atproto.server.describeServer()
    expect(data.inviteCodeRequired).toBe(true)
  })

  test('refuses a missing code', async () => {
    expect(await errorOf(signUp('nocode.test'))).toBe('400 InvalidInviteCode: No invite code provided')
  })

  test('refuses an unknown code', async () => {
    expect(await errorOf(signUp('unknown.test', 'perlsky-0123456789ab'))).toBe(
      '400 InvalidInviteCode: Provided invite code not available',
    )
  })

  test('spends a code use by use and refuses it once used up', async () => {
    const code = h.ctx.accounts.invites.mint({ useCount: 1 })
    expect(await errorOf(signUp('first.test', code))).toBe('ok')
    expect(await errorOf(signUp('second.test', code))).toBe(
      '400 InvalidInviteCode: Provided invite code not available',
    )
  })

  test('refuses a disabled code', async () => {
    const code = h.ctx.accounts.invites.mint({ useCount: 10 })
    h.ctx.accounts.invites.setDisabled(code, true)
    expect(await errorOf(signUp('disabled.test', code))).toBe(
      '400 InvalidInviteCode: Provided invite code not available',
    )
  })

  test('does not spend the code when the sign-up fails', async () => {
    const code = h.ctx.accounts.invites.mint({ useCount: 1 })
    expect(await errorOf(signUp('first.test', code))).toContain('HandleNotAvailable')
    expect(await errorOf(signUp('third.test', code))).toBe('ok')
  })
})

describe('invite codes over XRPC', () => {
  test('createInviteCode needs the admin credentials', async () => {
    const wrong = `Basic ${Buffer.from('admin:wrong').toString('base64')}`
    expect(await errorOf(adminAgent(wrong).com.atproto.server.createInviteCode({ useCount: 1 }))).toBe(
      '401 AuthenticationRequired: Authentication Required',
    )
    const { data } = await adminAgent().com.atproto.server.createInviteCode({ useCount: 2 })
    expect(data.code).toMatch(/^perlsky-[0-9a-f]{12}$/)
    expect(await errorOf(signUp('invited.test', data.code))).toBe('ok')
  })

  test('createInviteCodes mints codes per account, listed by getAccountInviteCodes', async () => {
    const owner = new AtpAgent({ service: h.url })
    await owner.createAccount({
      handle: 'olga.test',
      password: PASSWORD,
      inviteCode: h.ctx.accounts.invites.mint({ useCount: 1 }),
    })
    const did = owner.session!.did
    const { data } = await adminAgent().com.atproto.server.createInviteCodes({
      codeCount: 2,
      useCount: 1,
      forAccounts: [did],
    })
    expect(data.codes).toHaveLength(1)
    expect(data.codes[0]?.account).toBe(did)
    const [first, second] = data.codes[0]!.codes as [string, string]
    await signUp('friend.test', first)
    const listed = (await owner.com.atproto.server.getAccountInviteCodes({})).data.codes
    expect(listed.map((c) => c.code).sort()).toEqual([first, second].sort())
    const used = listed.find((c) => c.code === first)!
    expect(used).toMatchObject({ available: 1, disabled: false, forAccount: did, createdBy: 'admin' })
    expect(used.uses).toHaveLength(1)
    const unused = (await owner.com.atproto.server.getAccountInviteCodes({ includeUsed: false })).data.codes
    expect(unused.map((c) => c.code)).toEqual([second])
  })
})
