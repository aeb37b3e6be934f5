import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  accountDidDocument,
  accountDidWeb,
  accountIdOf,
  newAccountId,
} from '../../../src/services/accounts/did-web.ts'
import { isValidEmail, parseEmail } from '../../../src/services/accounts/email-address.ts'
import {
  assertServiceHandleRules,
  isServiceHandle,
  normalizeNewHandle,
} from '../../../src/services/accounts/handles.ts'
import { assertNewPassword } from '../../../src/services/accounts/passwords.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { INVITE_CODE_PATTERN, InviteService } from '../../../src/services/invites/invites.ts'
import { AccountTables } from '../../../src/storage/accounts/index.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-accounts-rules-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof XrpcError) return `${err.error}: ${err.message}`
    throw err
  }
  return 'ok'
}

describe('sign-up handles', () => {
  test.each([
    ['alice', 'alice.test'],
    ['Alice', 'alice.test'],
    ['ALICE.TEST', 'alice.test'],
    ['alice.example.com', 'alice.example.com'],
  ])('normalizes %p to %p', (input, expected) => {
    expect(normalizeNewHandle(input, 'test')).toBe(expected)
  })

  test.each([
    ['al', 'InvalidHandle: Handle too short'],
    ['abcdefghijklmnopqrs', 'InvalidHandle: Handle too long'],
    ['a.b.test', 'InvalidHandle: Invalid characters in handle'],
    ['admin', 'HandleNotAvailable: Reserved handle'],
    ['bob', 'ok'],
  ])('applies the service-domain rules to %p: %s', (name, expected) => {
    const handle = normalizeNewHandle(name, 'test')
    expect(isServiceHandle(handle, 'test')).toBe(true)
    expect(errorOf(() => assertServiceHandleRules(handle, 'test'))).toBe(expected)
  })

  test.each([
    ['-alice', 'InvalidHandle: Invalid handle'],
    ['alice_1', 'InvalidHandle: Invalid handle'],
    ['alice.local', 'InvalidHandle: Handle TLD is invalid or disallowed'],
  ])('refuses %p', (input, expected) => {
    expect(errorOf(() => normalizeNewHandle(input, 'test'))).toBe(expected)
  })
})

describe('email addresses', () => {
  test.each(['alice@example.com', 'a.b+tag@mail.example.co.uk', 'x@xn--bcher-kva.example'])(
    'accepts %p',
    (email) => {
      expect(isValidEmail(email)).toBe(true)
    },
  )

  test.each([
    'alice',
    '@example.com',
    'alice@',
    'alice@example',
    'a b@example.com',
    'a@@example.com',
    'a@b.123',
    '.a@example.com',
  ])('refuses %p', (email) => {
    expect(isValidEmail(email)).toBe(false)
  })

  test('are trimmed and lower-cased', () => {
    expect(parseEmail('  Alice@Example.COM ')).toBe('alice@example.com')
  })
})

describe('new passwords', () => {
  test.each([
    [undefined, 'InvalidPassword: Password is required'],
    ['short', 'InvalidPassword: Password must be at least 8 characters long'],
    ['x'.repeat(257), 'InvalidPassword: Password too long. Maximum length is 256 characters.'],
    ['x'.repeat(8), 'ok'],
    ['x'.repeat(256), 'ok'],
  ])('%#: %s', (password, expected) => {
    expect(errorOf(() => assertNewPassword(password, 'InvalidPassword'))).toBe(expected)
  })
})

describe('did:web accounts', () => {
  const config = { base_url: 'http://localhost:2583', hostname: 'localhost' }

  test('live under /users/<id> with the port encoded as %3A', () => {
    const id = newAccountId()
    expect(id).toMatch(/^[a-z2-7]{16}$/)
    const did = accountDidWeb(config, id)
    expect(did).toBe(`did:web:localhost%3A2583:users:${id}`)
    expect(accountIdOf(config, did)).toBe(id)
    expect(accountIdOf(config, 'did:web:localhost%3A2583')).toBeUndefined()
    expect(
      accountIdOf({ base_url: 'https://pds.example.com', hostname: 'pds.example.com' }, did),
    ).toBeUndefined()
  })

  test('have a document naming the #atproto key and the #atproto_pds service', () => {
    const did = 'did:web:pds.example.com:users:aaaaaaaaaaaaaaaa'
    const key = 'did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF'
    expect(accountDidDocument(did, 'alice.pds.example.com', key, 'https://pds.example.com')).toEqual({
      '@context': [
        'https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/multikey/v1',
        'https://w3id.org/security/suites/secp256k1-2019/v1',
      ],
      id: did,
      alsoKnownAs: ['at://alice.pds.example.com'],
      verificationMethod: [
        {
          id: `${did}#atproto`,
          type: 'Multikey',
          controller: did,
          publicKeyMultibase: 'zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
        },
      ],
      service: [
        { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' },
      ],
    })
  })
})

describe('invite codes', () => {
  const db = Db.open(join(dir, 'invites.sqlite'))
  migrate(db)
  const invites = new InviteService(new AccountTables(db).invites)

  test('look like perlsky-<12 hex digits>', () => {
    expect(invites.mint({ useCount: 1 })).toMatch(INVITE_CODE_PATTERN)
  })

  test('are spent use by use and then refused', () => {
    const code = invites.mint({ useCount: 2 })
    db.transaction(() => invites.spendInTx(code, 'did:plc:one'))
    db.transaction(() => invites.spendInTx(code, 'did:plc:two'))
    expect(errorOf(() => invites.assertAvailable(code))).toBe(
      'InvalidInviteCode: Provided invite code not available',
    )
  })

  test('are refused when missing, unknown or disabled', () => {
    expect(errorOf(() => invites.assertAvailable(undefined))).toBe(
      'InvalidInviteCode: No invite code provided',
    )
    expect(errorOf(() => invites.assertAvailable('perlsky-000000000000'))).toBe(
      'InvalidInviteCode: Provided invite code not available',
    )
    const code = invites.mint({ useCount: 5 })
    invites.setDisabled(code, true)
    expect(errorOf(() => invites.assertAvailable(code))).toBe(
      'InvalidInviteCode: Provided invite code not available',
    )
  })

  test('are listed for their account with their uses', () => {
    const did = 'did:plc:owner'
    const code = invites.mint({ useCount: 1, forAccount: did })
    db.transaction(() => invites.spendInTx(code, 'did:plc:friend'))
    const [listed] = invites.listForAccount(did, true)
    expect(listed).toMatchObject({ code, available: 1, disabled: false, forAccount: did, createdBy: 'admin' })
    expect(listed?.uses.map((u) => u.usedBy)).toEqual(['did:plc:friend'])
    expect(invites.listForAccount(did, false)).toEqual([])
  })

  test('are minted in batches per account', () => {
    const batches = invites.mintMany(2, 1, ['did:plc:a', 'did:plc:b'])
    expect(batches.map((b) => [b.account, b.codes.length])).toEqual([
      ['did:plc:a', 2],
      ['did:plc:b', 2],
    ])
  })
})
