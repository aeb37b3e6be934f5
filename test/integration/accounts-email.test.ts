// The email flows through a real SMTP server on 127.0.0.1: each code is read from the received
// mail and used over XRPC, as a user would. Also the outbox, the testing knobs and SMTP failures.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { XRPCError } from '@atproto/xrpc'
import { codeIn, type FakeSmtp, startFakeSmtp } from '../fakes/smtp-server.ts'
import { type Harness, startHarness } from './harness.ts'

const PASSWORD = 'correct horse battery staple'
const FROM = 'pds@example.com'

let smtp: FakeSmtp
let h: Harness
beforeAll(async () => {
  smtp = await startFakeSmtp({ user: 'mailer', pass: 'smtp-secret' })
  h = await startHarness({ config: { email_smtp_url: smtp.url, email_from_address: FROM } })
})
afterAll(async () => {
  await h.stop()
  await smtp.stop()
})

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof XRPCError) return `${err.status} ${err.error}`
    throw err
  }
  return 'ok'
}

async function signUp(harness: Harness, name: string): Promise<AtpAgent> {
  const agent = new AtpAgent({ service: harness.url })
  await agent.createAccount({ handle: `${name}.test`, email: `${name}@example.com`, password: PASSWORD })
  return agent
}

function count(harness: Harness, table: string, did: string): number {
  return harness.ctx.db.raw
    .query<{ n: number }, [string]>(`SELECT count(*) AS n FROM ${table} WHERE did = ?`)
    .get(did)!.n
}

describe('email confirmation', () => {
  test('confirms the address with the code from the mail', async () => {
    const alice = await signUp(h, 'alice')
    await alice.com.atproto.server.requestEmailConfirmation()
    const mail = await smtp.nextMailTo('alice@example.com')
    expect(mail.from).toBe(FROM)
    expect(mail.subject).toBe('Confirm your email address (localhost)')
    expect(mail.text).toContain('expires in 15 minutes')
    const token = codeIn(mail)
    expect(await errorOf(alice.com.atproto.server.confirmEmail({ email: 'other@example.com', token }))).toBe(
      '400 InvalidEmail',
    )
    await alice.com.atproto.server.confirmEmail({ email: 'ALICE@example.com', token })
    expect((await alice.com.atproto.server.getSession()).data.emailConfirmed).toBe(true)
    expect(await errorOf(alice.com.atproto.server.confirmEmail({ email: 'alice@example.com', token }))).toBe(
      '400 InvalidToken',
    )
  })

  test('needs a session unless the testing knob allows otherwise', async () => {
    const anonymous = new AtpAgent({ service: h.url })
    const f = await errorOf(
      anonymous.com.atproto.server.confirmEmail({ email: 'alice@example.com', token: 'AAAAA-AAAAA' }),
    )
    expect(f).toBe('401 AuthMissing')
  })
})

describe('email change', () => {
  test('needs a code sent to the current, confirmed address', async () => {
    const bob = await signUp(h, 'bob')
    await bob.com.atproto.server.requestEmailConfirmation()
    await bob.com.atproto.server.confirmEmail({
      email: 'bob@example.com',
      token: codeIn(await smtp.nextMailTo('bob@example.com')),
    })

    expect((await bob.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(true)
    const token = codeIn(await smtp.nextMailTo('bob@example.com'))
    expect(await errorOf(bob.com.atproto.server.updateEmail({ email: 'robert@example.com' }))).toBe(
      '400 TokenRequired',
    )
    await bob.com.atproto.server.updateEmail({ email: 'Robert@Example.com', token })
    expect((await bob.com.atproto.server.getSession()).data).toMatchObject({
      email: 'robert@example.com',
      emailConfirmed: false,
    })
  })

  test('needs no code while the address is unconfirmed', async () => {
    const carl = await signUp(h, 'carl')
    expect((await carl.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(false)
    await carl.com.atproto.server.updateEmail({ email: 'carl2@example.com' })
    expect((await carl.com.atproto.server.getSession()).data.email).toBe('carl2@example.com')
  })
})

describe('password reset', () => {
  test('sets the new password and ends every session and app password', async () => {
    const dora = await signUp(h, 'dora')
    const appPassword = (await dora.com.atproto.server.createAppPassword({ name: 'app' })).data.password
    await new AtpAgent({ service: h.url }).com.atproto.server.requestPasswordReset({
      email: 'DORA@example.com',
    })
    const mail = await smtp.nextMailTo('dora@example.com')
    expect(mail.subject).toBe('Reset your password (localhost)')
    await new AtpAgent({ service: h.url }).com.atproto.server.resetPassword({
      token: codeIn(mail),
      password: 'a brand new password',
    })

    expect(await errorOf(dora.com.atproto.server.getSession())).toBe('400 ExpiredToken')
    const login = (password: string) =>
      new AtpAgent({ service: h.url }).login({ identifier: 'dora.test', password })
    expect(await errorOf(login(PASSWORD))).toBe('401 AuthenticationRequired')
    expect(await errorOf(login(appPassword))).toBe('401 AuthenticationRequired')
    expect(await errorOf(login('a brand new password'))).toBe('ok')
  })

  test('answers the same for an unknown address and sends nothing', async () => {
    const before = smtp.mails.length
    await new AtpAgent({ service: h.url }).com.atproto.server.requestPasswordReset({
      email: 'nobody@example.com',
    })
    expect(smtp.mails.length).toBe(before)
  })

  test('refuses a made-up code', async () => {
    const agent = new AtpAgent({ service: h.url })
    const f = await errorOf(
      agent.com.atproto.server.resetPassword({ token: 'AAAAA-BBBBB', password: 'whatever1234' }),
    )
    expect(f).toBe('400 InvalidToken')
  })
})

describe('account deletion', () => {
  test('removes everything of the account but its #account deleted event', async () => {
    const erin = await signUp(h, 'erin')
    const did = erin.session!.did
    await erin.post({ text: 'hello before I go' })
    const blob = await erin.uploadBlob(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), {
      encoding: 'image/png',
    })
    await erin.upsertProfile(() => ({ displayName: 'Erin', avatar: blob.data.blob }))
    await erin.com.atproto.server.createAppPassword({ name: 'app' })
    expect(count(h, 'record', did)).toBe(2)

    await erin.com.atproto.server.requestAccountDelete()
    const token = codeIn(await smtp.nextMailTo('erin@example.com'))
    const anonymous = new AtpAgent({ service: h.url }).com.atproto.server
    expect(await errorOf(anonymous.deleteAccount({ did, password: 'wrong password', token }))).toBe(
      '401 AuthenticationRequired',
    )
    expect(await errorOf(anonymous.deleteAccount({ did, password: PASSWORD, token: 'AAAAA-BBBBB' }))).toBe(
      '400 InvalidToken',
    )
    await anonymous.deleteAccount({ did, password: PASSWORD, token })

    expect(h.ctx.accounts.getAccount(did)).toBeUndefined()
    for (const table of [
      'account',
      'session',
      'app_password',
      'email_token',
      'repo_block',
      'repo_root',
      'record',
      'blob',
    ]) {
      expect([table, count(h, table, did)]).toEqual([table, 0])
    }
    const events = h.ctx.sequencer.eventsAfter(0, 10_000).filter((e) => e.did === did)
    expect(events.map((e) => e.type)).toEqual(['account'])
    expect(
      await errorOf(new AtpAgent({ service: h.url }).login({ identifier: 'erin.test', password: PASSWORD })),
    ).toBe('401 AuthenticationRequired')
  })
})

describe('the outbox', () => {
  test('keeps every message with the SMTP reply', () => {
    const messages = h.ctx.accounts.tables.outbox.list(100)
    expect(messages.length).toBe(smtp.mails.length)
    expect(messages.every((m) => m.status === 'sent' && m.smtpReply?.startsWith('250'))).toBe(true)
  })
})

describe('without SMTP, with the testing knobs', () => {
  test('testing_auto_confirm_email confirms new addresses at once', async () => {
    const h2 = await startHarness({ config: { testing_auto_confirm_email: true } })
    try {
      const agent = await signUp(h2, 'fred')
      expect((await agent.com.atproto.server.getSession()).data.emailConfirmed).toBe(true)
    } finally {
      await h2.stop()
    }
  })

  test('testing_allow_unauthenticated_email_confirm confirms without a session, the code from the outbox', async () => {
    const h2 = await startHarness({ config: { testing_allow_unauthenticated_email_confirm: true } })
    try {
      const agent = await signUp(h2, 'gina')
      await agent.com.atproto.server.requestEmailConfirmation()
      const [stored] = h2.ctx.accounts.tables.outbox.list(1, 'gina@example.com')
      expect(stored?.status).toBe('stored')
      const token = /[A-Z2-7]{5}-[A-Z2-7]{5}/.exec(stored!.body)![0]
      await new AtpAgent({ service: h2.url }).com.atproto.server.confirmEmail({
        email: 'gina@example.com',
        token,
      })
      expect((await agent.com.atproto.server.getSession()).data.emailConfirmed).toBe(true)
    } finally {
      await h2.stop()
    }
  })
})

describe('an SMTP failure', () => {
  test('answers 502 and records the SMTP error in the outbox', async () => {
    const badUrl = smtp.url.replace(':smtp-secret@', ':wrong@')
    const h2 = await startHarness({ config: { email_smtp_url: badUrl, email_from_address: FROM } })
    try {
      const agent = await signUp(h2, 'hank')
      expect(await errorOf(agent.com.atproto.server.requestEmailConfirmation())).toBe('502 UpstreamFailure')
      const [failed] = h2.ctx.accounts.tables.outbox.list(1)
      expect(failed).toMatchObject({ status: 'failed', toAddress: 'hank@example.com' })
      expect(failed?.smtpReply).toContain('EAUTH')
    } finally {
      await h2.stop()
    }
  })
})
