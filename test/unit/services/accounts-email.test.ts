import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../../src/lib/logger.ts'
import { EMAIL_TOKEN_LIFETIME_MS, EmailTokens } from '../../../src/services/email/email-tokens.ts'
import { describeSmtpError, Mailer, type MailTransport } from '../../../src/services/email/mailer.ts'
import { tokenEmail } from '../../../src/services/email/templates.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { AccountTables } from '../../../src/storage/accounts/index.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-accounts-email-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa'
const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb'

function openTables(name: string): AccountTables {
  const db = Db.open(join(dir, `${name}.sqlite`))
  migrate(db)
  const tables = new AccountTables(db)
  for (const [did, handle] of [
    [ALICE, 'alice.test'],
    [BOB, 'bob.test'],
  ] as const) {
    tables.accounts.insert({
      did,
      handle,
      email: `${handle}@example.com`,
      emailConfirmedAt: null,
      passwordHash: 'unused',
      signingKey: new Uint8Array(32).fill(1),
      createdAt: new Date().toISOString(),
      deactivatedAt: null,
    })
  }
  return tables
}

function errorOf(fn: () => unknown): XrpcError {
  try {
    fn()
  } catch (err) {
    if (err instanceof XrpcError) return err
    throw err
  }
  throw new Error('expected an XrpcError')
}

describe('email tokens', () => {
  let clock = Date.parse('2030-01-01T00:00:00Z')
  const tables = openTables('tokens')
  const tokens = new EmailTokens(tables.emailTokens, () => clock)

  test('look like the reference codes, XXXXX-XXXXX in base32', () => {
    expect(tokens.issue(ALICE, 'confirm_email').token).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/)
  })

  test('are accepted for their account and purpose only, in any case', () => {
    const { token } = tokens.issue(ALICE, 'reset_password')
    tokens.check(ALICE, 'reset_password', ` ${token.toLowerCase()} `)
    expect(errorOf(() => tokens.check(ALICE, 'delete_account', token)).error).toBe('InvalidToken')
    expect(errorOf(() => tokens.check(BOB, 'reset_password', token)).error).toBe('InvalidToken')
    expect(tokens.findAccount('reset_password', token)).toBe(ALICE)
  })

  test('are replaced by a newer code for the same purpose', () => {
    const first = tokens.issue(ALICE, 'update_email').token
    const second = tokens.issue(ALICE, 'update_email').token
    expect(errorOf(() => tokens.check(ALICE, 'update_email', first)).error).toBe('InvalidToken')
    tokens.check(ALICE, 'update_email', second)
  })

  test('can be spent once', () => {
    const { token } = tokens.issue(BOB, 'delete_account')
    tokens.consume(BOB, 'delete_account')
    expect(errorOf(() => tokens.check(BOB, 'delete_account', token)).error).toBe('InvalidToken')
  })

  test(`expire after ${EMAIL_TOKEN_LIFETIME_MS / 60_000} minutes`, () => {
    const { token, expiresAt } = tokens.issue(BOB, 'plc_operation')
    expect(expiresAt.getTime()).toBe(clock + EMAIL_TOKEN_LIFETIME_MS)
    clock += EMAIL_TOKEN_LIFETIME_MS
    const err = errorOf(() => tokens.check(BOB, 'plc_operation', token))
    expect([err.status, err.error]).toEqual([400, 'ExpiredToken'])
    expect(errorOf(() => tokens.findAccount('plc_operation', token)).error).toBe('ExpiredToken')
  })

  test('are stored only as digests', () => {
    const { token } = tokens.issue(ALICE, 'confirm_email')
    const rows = tables.db.raw.query('SELECT * FROM email_token').all()
    expect(JSON.stringify(rows)).not.toContain(token)
  })
})

describe('mailer', () => {
  const tables = openTables('mailer')
  const message = {
    to: 'alice@example.com',
    purpose: 'confirm_email',
    subject: 'Hi',
    text: 'code ABCDE-FGHIJ',
  }

  test('without SMTP keeps the message in the outbox', async () => {
    const mailer = new Mailer(tables.outbox, undefined, silentLogger())
    const result = await mailer.deliver(message)
    expect(result.status).toBe('stored')
    expect(tables.outbox.list(1)[0]).toMatchObject({ toAddress: 'alice@example.com', body: message.text })
  })

  test('with SMTP sends from the configured address and records the reply', async () => {
    const sent: unknown[] = []
    const transport: MailTransport = {
      sendMail: async (m) => {
        sent.push(m)
        return { response: '250 2.0.0 OK queued' }
      },
    }
    const mailer = new Mailer(
      tables.outbox,
      { url: 'smtp://x', from: 'pds@example.com' },
      silentLogger(),
      transport,
    )
    expect(await mailer.deliver(message)).toMatchObject({ status: 'sent', reply: '250 2.0.0 OK queued' })
    expect(sent).toEqual([
      { from: 'pds@example.com', to: 'alice@example.com', subject: 'Hi', text: message.text },
    ])
    expect(tables.outbox.list(1)[0]).toMatchObject({ status: 'sent', smtpReply: '250 2.0.0 OK queued' })
  })

  test('records a failure and turns it into 502 for XRPC callers', async () => {
    const failure = Object.assign(new Error('Invalid login: 535 5.7.8 bad credentials'), {
      code: 'EAUTH',
      command: 'AUTH PLAIN',
      response: '535 5.7.8 bad credentials',
    })
    const transport: MailTransport = { sendMail: () => Promise.reject(failure) }
    const mailer = new Mailer(
      tables.outbox,
      { url: 'smtp://x', from: 'pds@example.com' },
      silentLogger(),
      transport,
    )
    const error = (await mailer.send(message).catch((e: unknown) => e)) as XrpcError
    expect([error.status, error.error]).toEqual([502, 'UpstreamFailure'])
    expect(tables.outbox.list(1)[0]).toMatchObject({
      status: 'failed',
      smtpReply: 'EAUTH during AUTH PLAIN: Invalid login: 535 5.7.8 bad credentials',
    })
  })

  test('describes SMTP errors with their code, command and server reply', () => {
    const err = Object.assign(new Error('Message failed'), { code: 'EMESSAGE', response: '554 rejected' })
    expect(describeSmtpError(err)).toBe('EMESSAGE: Message failed (server said: 554 rejected)')
    expect(describeSmtpError('boom')).toBe('boom')
  })
})

describe('email templates', () => {
  test('name the code, its purpose and its expiry', () => {
    const expiresAt = new Date('2030-01-01T00:15:00Z')
    const mail = tokenEmail('reset_password', {
      hostname: 'pds.test',
      handle: 'alice.test',
      token: 'ABCDE-FGHIJ',
      expiresAt,
    })
    expect(mail.subject).toBe('Reset your password (pds.test)')
    expect(mail.text).toContain('ABCDE-FGHIJ')
    expect(mail.text).toContain('reset the password of your account @alice.test on pds.test')
    expect(mail.text).toContain('expires in 15 minutes (at 2030-01-01T00:15:00.000Z)')
  })
})
