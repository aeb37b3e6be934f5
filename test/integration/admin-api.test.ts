// The com.atproto.admin API with the official client and HTTP Basic admin credentials: auth
// failures, account views and search, email / password / handle changes, deletion, invite codes,
// sendEmail through a fake SMTP server, and the com.atproto.temp sign-up helpers.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { type FakeSmtp, startFakeSmtp } from '../fakes/smtp-server.ts'
import { failure, PASSWORD, type SignedUp, signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

const ADMIN_PASSWORD = 'integration-test-admin-password'
const basic = (credentials: string) => ({ headers: { authorization: `Basic ${btoa(credentials)}` } })
const ADMIN = basic(`admin:${ADMIN_PASSWORD}`)

let h: Harness
let smtp: FakeSmtp
let anon: AtpAgent
let alice: SignedUp
let bob: SignedUp

beforeAll(async () => {
  smtp = await startFakeSmtp()
  h = await startHarness({ config: { email_smtp_url: smtp.url, email_from_address: 'pds@example.com' } })
  anon = new AtpAgent({ service: h.url })
  alice = await signUp(h, 'alice')
  bob = await signUp(h, 'bob')
})
afterAll(async () => {
  await h.stop()
  await smtp.stop()
})

const admin = () => anon.com.atproto.admin

describe('admin auth', () => {
  test('refuses missing, wrong and non-Basic credentials with 401 AuthenticationRequired', async () => {
    const tries = [
      admin().getAccountInfo({ did: alice.did }),
      admin().getAccountInfo({ did: alice.did }, basic('admin:wrong')),
      admin().getAccountInfo({ did: alice.did }, basic(`root:${ADMIN_PASSWORD}`)),
      admin().getAccountInfo(
        { did: alice.did },
        { headers: { authorization: `Bearer ${alice.agent.session!.accessJwt}` } },
      ),
      admin().deleteAccount({ did: alice.did }, basic('admin:wrong')),
    ]
    for (const attempt of tries) {
      expect(await failure(attempt)).toMatchObject({ status: 401, error: 'AuthenticationRequired' })
    }
  })

  test('says the admin API is disabled when no admin_password is configured', async () => {
    const closed = await startHarness({ config: { admin_password: undefined } })
    try {
      const agent = new AtpAgent({ service: closed.url })
      const err = await failure(agent.com.atproto.admin.getAccountInfo({ did: alice.did }, ADMIN))
      expect(err).toEqual({
        status: 401,
        error: 'AuthenticationRequired',
        message: 'admin API is disabled: no admin_password configured',
      })
    } finally {
      await closed.stop()
    }
  })
})

describe('account views', () => {
  test('getAccountInfo shows the account with its invites; unknown DIDs are NotFound', async () => {
    const { data } = await admin().getAccountInfo({ did: alice.did }, ADMIN)
    expect(data).toMatchObject({
      did: alice.did,
      handle: 'alice.test',
      email: 'alice@example.com',
      indexedAt: expect.any(String),
      invites: [],
      invitesDisabled: false,
    })
    expect(data.emailConfirmedAt).toBeUndefined()
    const missing = admin().getAccountInfo({ did: 'did:web:nobody.example' }, ADMIN)
    expect(await failure(missing)).toMatchObject({ status: 400, error: 'NotFound' })
  })

  test('getAccountInfos returns the accounts that exist', async () => {
    const dids = [bob.did, 'did:web:nobody.example', alice.did]
    const { data } = await admin().getAccountInfos({ dids }, ADMIN)
    expect(data.infos.map((info) => info.did)).toEqual([bob.did, alice.did])
  })

  test('searchAccounts matches part of the email, any case, and pages by cursor', async () => {
    const found = await admin().searchAccounts({ email: 'ALICE@' }, ADMIN)
    expect(found.data.accounts.map((a) => a.did)).toEqual([alice.did])
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await admin().searchAccounts({ limit: 1, cursor }, ADMIN)
      seen.push(...page.data.accounts.map((a) => a.did))
      cursor = page.data.cursor
    } while (cursor !== undefined)
    expect(seen).toEqual([alice.did, bob.did].sort())
  })
})

describe('getSubjectStatus', () => {
  test('needs a subject, a DID with a blob, and something that exists', async () => {
    const none = await failure(admin().getSubjectStatus({}, ADMIN))
    expect(none).toMatchObject({ status: 400, error: 'InvalidRequest', message: 'No provided subject' })
    const blob = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'
    const blobAlone = await failure(admin().getSubjectStatus({ blob }, ADMIN))
    expect(blobAlone).toMatchObject({ status: 400, message: 'Must provide a did to request blob state' })
    const unknown = await failure(admin().getSubjectStatus({ did: 'did:web:nobody.example' }, ADMIN))
    expect(unknown).toMatchObject({ status: 400, error: 'NotFound' })
    const noBlob = await failure(admin().getSubjectStatus({ did: alice.did, blob }, ADMIN))
    expect(noBlob).toMatchObject({ status: 400, error: 'NotFound' })
  })
})

describe('account changes', () => {
  test('updateAccountEmail sets an unconfirmed address; a taken one is refused', async () => {
    await admin().updateAccountEmail({ account: 'bob.test', email: 'Bob.New@Example.com' }, ADMIN)
    const { data } = await admin().getAccountInfo({ did: bob.did }, ADMIN)
    expect(data.email).toBe('bob.new@example.com')
    expect(data.emailConfirmedAt).toBeUndefined()
    const taken = admin().updateAccountEmail({ account: bob.did, email: 'alice@example.com' }, ADMIN)
    expect(await failure(taken)).toMatchObject({ status: 400, error: 'InvalidRequest' })
  })

  test('updateAccountPassword ends the sessions; the new password logs in', async () => {
    const session = await new AtpAgent({ service: h.url }).login({
      identifier: 'bob.test',
      password: PASSWORD,
    })
    const tooShort = admin().updateAccountPassword({ did: bob.did, password: 'short' }, ADMIN)
    expect(await failure(tooShort)).toMatchObject({ status: 400 })
    await admin().updateAccountPassword({ did: bob.did, password: 'a brand new password' }, ADMIN)
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.getSession`, {
      headers: { authorization: `Bearer ${session.data.accessJwt}` },
    })
    expect(((await res.json()) as { error: string }).error).toBe('ExpiredToken')
    const old = anon.com.atproto.server.createSession({ identifier: 'bob.test', password: PASSWORD })
    expect(await failure(old)).toMatchObject({ status: 401 })
    await anon.com.atproto.server.createSession({ identifier: 'bob.test', password: 'a brand new password' })
  })

  test('updateAccountHandle changes the handle and announces it', async () => {
    const before = h.ctx.sequencer.lastSeq()
    await admin().updateAccountHandle({ did: bob.did, handle: 'robert.test' }, ADMIN)
    expect((await admin().getAccountInfo({ did: bob.did }, ADMIN)).data.handle).toBe('robert.test')
    const events = h.ctx.sequencer.eventsAfter(before, 10)
    expect(events.map((e) => [e.type, e.did])).toEqual([['identity', bob.did]])
    const taken = admin().updateAccountHandle({ did: bob.did, handle: 'alice.test' }, ADMIN)
    expect(await failure(taken)).toMatchObject({ status: 400 })
  })

  test('updateAccountSigningKey is refused for did:web accounts', async () => {
    const key = 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'
    const err = await failure(admin().updateAccountSigningKey({ did: alice.did, signingKey: key }, ADMIN))
    expect(err).toMatchObject({ status: 400, message: expect.stringContaining('did:plc') })
  })

  test('deleteAccount removes the account and announces the deletion', async () => {
    const carol = await signUp(h, 'carol')
    const before = h.ctx.sequencer.lastSeq()
    await admin().deleteAccount({ did: carol.did }, ADMIN)
    const missing = admin().getAccountInfo({ did: carol.did }, ADMIN)
    expect(await failure(missing)).toMatchObject({ error: 'NotFound' })
    const events = h.ctx.sequencer.eventsAfter(before, 10)
    expect(events.map((e) => [e.type, e.did])).toEqual([['account', carol.did]])
    const login = anon.com.atproto.server.createSession({ identifier: 'carol.test', password: PASSWORD })
    expect(await failure(login)).toMatchObject({ status: 401 })
    const again = admin().deleteAccount({ did: carol.did }, ADMIN)
    expect(await failure(again)).toMatchObject({ status: 400 })
  })
})

describe('invite codes', () => {
  let codes: string[]

  beforeAll(async () => {
    const minted = await anon.com.atproto.server.createInviteCodes(
      { codeCount: 2, useCount: 3, forAccounts: [alice.did] },
      { ...ADMIN, encoding: 'application/json' },
    )
    codes = minted.data.codes[0]!.codes
    h.ctx.accounts.invites.spendInTx(codes[1]!, 'did:web:someone.example')
  })

  test('getInviteCodes pages newest first and most used first', async () => {
    const recent = await admin().getInviteCodes({ sort: 'recent', limit: 1 }, ADMIN)
    expect(recent.data.codes).toHaveLength(1)
    const next = await admin().getInviteCodes({ sort: 'recent', limit: 1, cursor: recent.data.cursor }, ADMIN)
    expect(new Set([...recent.data.codes, ...next.data.codes].map((c) => c.code))).toEqual(new Set(codes))
    const usage = await admin().getInviteCodes({ sort: 'usage', limit: 10 }, ADMIN)
    expect(usage.data.codes.map((c) => c.code)).toEqual([codes[1]!, codes[0]!])
    expect(usage.data.codes[0]).toMatchObject({
      available: 3,
      forAccount: alice.did,
      uses: [{ usedBy: 'did:web:someone.example' }],
    })
    const bad = admin().getInviteCodes({ sort: 'oldest' }, ADMIN)
    expect(await failure(bad)).toMatchObject({ status: 400 })
  })

  test('getAccountInfo lists the codes minted for the account', async () => {
    const { data } = await admin().getAccountInfo({ did: alice.did }, ADMIN)
    expect(data.invites?.map((c) => c.code).sort()).toEqual([...codes].sort())
  })

  test('disableAccountInvites makes the account’s codes unusable until enabled again', async () => {
    const code = codes[0]!
    await admin().disableAccountInvites({ account: alice.did }, ADMIN)
    expect((await admin().getAccountInfo({ did: alice.did }, ADMIN)).data.invitesDisabled).toBe(true)
    expect(() => h.ctx.accounts.invites.assertAvailable(code)).toThrow('Provided invite code not available')
    await admin().enableAccountInvites({ account: alice.did }, ADMIN)
    expect(() => h.ctx.accounts.invites.assertAvailable(code)).not.toThrow()
  })

  test('disableInviteCodes disables by code and by account, but never the admin’s', async () => {
    await admin().disableInviteCodes({ codes: [codes[0]!] }, ADMIN)
    const byCode = (await admin().getInviteCodes({ sort: 'usage' }, ADMIN)).data.codes
    expect(byCode.find((c) => c.code === codes[0])?.disabled).toBe(true)
    expect(byCode.find((c) => c.code === codes[1])?.disabled).toBe(false)
    await admin().disableInviteCodes({ accounts: [alice.did] }, ADMIN)
    const byAccount = (await admin().getInviteCodes({ sort: 'usage' }, ADMIN)).data.codes
    expect(byAccount.filter((c) => codes.includes(c.code)).every((c) => c.disabled)).toBe(true)
    const adminCodes = admin().disableInviteCodes({ accounts: ['admin'] }, ADMIN)
    expect(await failure(adminCodes)).toMatchObject({ status: 400 })
  })
})

describe('sendEmail', () => {
  test('mails the account through SMTP', async () => {
    const { data } = await admin().sendEmail(
      { recipientDid: alice.did, senderDid: 'did:web:moderator.example', content: 'Hello from the operator' },
      ADMIN,
    )
    expect(data).toEqual({ sent: true })
    const mail = await smtp.nextMailTo('alice@example.com')
    expect(mail).toMatchObject({ subject: 'Message via your PDS' })
    expect(mail.text).toContain('Hello from the operator')
  })

  test('an unknown recipient is refused', async () => {
    const err = await failure(
      admin().sendEmail(
        { recipientDid: 'did:web:nobody.example', senderDid: alice.did, content: 'x' },
        ADMIN,
      ),
    )
    expect(err).toMatchObject({ status: 400, message: 'Recipient not found' })
  })
})

describe('com.atproto.temp', () => {
  test('checkSignupQueue: every account is activated at once', async () => {
    expect((await alice.agent.com.atproto.temp.checkSignupQueue()).data).toEqual({ activated: true })
  })

  test('checkHandleAvailability: free, taken with suggestions, and invalid', async () => {
    const temp = anon.com.atproto.temp
    const free = await temp.checkHandleAvailability({ handle: 'newcomer.test' })
    expect(free.data.result.$type).toBe('com.atproto.temp.checkHandleAvailability#resultAvailable')
    const taken = await temp.checkHandleAvailability({ handle: 'alice.test', email: 'ally@example.com' })
    const result = taken.data.result as { $type: string; suggestions: { handle: string; method: string }[] }
    expect(result.$type).toBe('com.atproto.temp.checkHandleAvailability#resultUnavailable')
    expect(result.suggestions.length).toBeGreaterThan(0)
    expect(result.suggestions).toContainEqual({ handle: 'ally.test', method: 'email' })
    for (const s of result.suggestions) expect(s.handle).not.toBe('alice.test')
    const reserved = await temp.checkHandleAvailability({ handle: 'admin.test' })
    expect(reserved.data.result.$type).toBe('com.atproto.temp.checkHandleAvailability#resultUnavailable')
    const tooShort = temp.checkHandleAvailability({ handle: 'ab.test' })
    expect(await failure(tooShort)).toMatchObject({ status: 400, error: 'InvalidHandle' })
    const elsewhere = temp.checkHandleAvailability({ handle: 'alice.example.com' })
    expect(await failure(elsewhere)).toMatchObject({ status: 400, error: 'UnsupportedDomain' })
    const badEmail = temp.checkHandleAvailability({ handle: 'alice.test', email: 'not an email' })
    expect(await failure(badEmail)).toMatchObject({ status: 400, error: 'InvalidEmail' })
  })
})
