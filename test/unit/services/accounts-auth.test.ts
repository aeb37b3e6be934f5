import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { AdminAuth } from '../../../src/services/auth/admin-auth.ts'
import { LoginLimiter, MAX_FAILURES, WINDOW_MS } from '../../../src/services/auth/login-limiter.ts'
import {
  APP_PASSWORD_PATTERN,
  generateAppPassword,
  hashAppPassword,
  hashPassword,
  verifyPassword,
} from '../../../src/services/auth/password.ts'
import {
  ACCESS_TOKEN_LIFETIME_MS,
  REFRESH_TOKEN_LIFETIME_MS,
  SessionTokens,
} from '../../../src/services/auth/session-tokens.ts'
import { REFRESH_GRACE_MS, SessionService } from '../../../src/services/auth/sessions.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { AccountTables } from '../../../src/storage/accounts/index.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-accounts-auth-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SERVICE_DID = 'did:web:pds.test'
const SECRET = 'unit-test-jwt-secret-0123456789'
const ALICE = 'did:web:pds.test:users:aaaaaaaaaaaaaaaa'

async function xrpcError(promise: Promise<unknown> | (() => unknown)): Promise<XrpcError> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (err) {
    if (err instanceof XrpcError) return err
    throw err
  }
  throw new Error('expected an XrpcError')
}

function openTables(name: string): AccountTables {
  const db = Db.open(join(dir, `${name}.sqlite`))
  migrate(db)
  const tables = new AccountTables(db)
  tables.accounts.insert({
    did: ALICE,
    handle: 'alice.test',
    email: 'alice@example.com',
    emailConfirmedAt: null,
    passwordHash: 'unused',
    signingKey: new Uint8Array(32).fill(1),
    createdAt: new Date().toISOString(),
    deactivatedAt: null,
  })
  return tables
}

describe('passwords', () => {
  test('verify the password they were hashed from and nothing else', async () => {
    const hash = await hashPassword('correct horse battery staple')
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true)
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false)
  })

  test('salt every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'))
  })

  test('refuse stored values that are not scrypt records', async () => {
    for (const stored of ['', 'plain', 'scrypt$x$8$1$AAAA$AAAA', 'bcrypt$1$2$3$4$5']) {
      expect(await verifyPassword('anything', stored)).toBe(false)
    }
  })

  test('app passwords look like xxxx-xxxx-xxxx-xxxx and hash per account', async () => {
    const password = generateAppPassword()
    expect(password).toMatch(APP_PASSWORD_PATTERN)
    expect(await hashAppPassword(ALICE, password)).toBe(await hashAppPassword(ALICE, password))
    expect(await hashAppPassword(ALICE, password)).not.toBe(await hashAppPassword('did:plc:other', password))
  })
})

describe('session tokens', () => {
  const tokens = new SessionTokens(SECRET, SERVICE_DID)
  const now = Date.now()

  test('access tokens carry the reference claims plus the session id', async () => {
    const jwt = await tokens.signAccess({ did: ALICE, scope: 'appPassPrivileged', sessionId: 's1' }, now)
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'at+jwt' })
    const claims = decodeJwt(jwt)
    expect(claims).toMatchObject({
      scope: 'com.atproto.appPassPrivileged',
      sub: ALICE,
      aud: SERVICE_DID,
      sid: 's1',
    })
    expect(claims.exp! - claims.iat!).toBe(ACCESS_TOKEN_LIFETIME_MS / 1000)
    expect(await tokens.verifyAccess(jwt)).toEqual({
      did: ALICE,
      scope: 'appPassPrivileged',
      sessionId: 's1',
    })
  })

  test('refresh tokens carry a jti and are deterministic for the same claims', async () => {
    const a = await tokens.signRefresh({ did: ALICE, tokenId: 't1' }, now, now + REFRESH_TOKEN_LIFETIME_MS)
    const b = await tokens.signRefresh({ did: ALICE, tokenId: 't1' }, now, now + REFRESH_TOKEN_LIFETIME_MS)
    expect(a).toBe(b)
    expect(decodeProtectedHeader(a).typ).toBe('refresh+jwt')
    expect(decodeJwt(a)).toMatchObject({
      scope: 'com.atproto.refresh',
      sub: ALICE,
      aud: SERVICE_DID,
      jti: 't1',
    })
    expect(await tokens.verifyRefresh(a)).toEqual({ did: ALICE, tokenId: 't1' })
  })

  test('an expired token is ExpiredToken (400)', async () => {
    const old = await tokens.signAccess(
      { did: ALICE, scope: 'access', sessionId: 's' },
      now - 3 * 60 * 60 * 1000,
    )
    const err = await xrpcError(() => tokens.verifyAccess(old))
    expect([err.status, err.error]).toEqual([400, 'ExpiredToken'])
  })

  test('a refresh token is not an access token, and the reverse', async () => {
    const refresh = await tokens.signRefresh({ did: ALICE, tokenId: 't' }, now, now + 60_000)
    const access = await tokens.signAccess({ did: ALICE, scope: 'access', sessionId: 's' }, now)
    expect((await xrpcError(() => tokens.verifyAccess(refresh))).error).toBe('InvalidToken')
    expect((await xrpcError(() => tokens.verifyRefresh(access))).error).toBe('InvalidToken')
  })

  test('another secret or another audience is InvalidToken', async () => {
    const access = await tokens.signAccess({ did: ALICE, scope: 'access', sessionId: 's' }, now)
    const other = new SessionTokens('another-secret-0123456789', SERVICE_DID)
    const elsewhere = new SessionTokens(SECRET, 'did:web:elsewhere.test')
    expect((await xrpcError(() => other.verifyAccess(access))).error).toBe('InvalidToken')
    expect((await xrpcError(() => elsewhere.verifyAccess(access))).error).toBe('InvalidToken')
    expect((await xrpcError(() => tokens.verifyAccess('not.a.jwt'))).error).toBe('InvalidToken')
  })
})

describe('sessions', () => {
  let clock = Date.parse('2030-01-01T00:00:00Z')
  const tables = openTables('sessions')
  const tokens = new SessionTokens(SECRET, SERVICE_DID, () => clock)
  const sessions = new SessionService(tables.db, tables.sessions, tokens, () => clock)

  test('a new session authenticates its access token', async () => {
    const pair = await sessions.create(ALICE, 'access', null)
    const auth = await sessions.authenticate(pair.accessJwt)
    expect(auth).toMatchObject({ did: ALICE, scope: 'access' })
  })

  test('rotation hands out a new refresh token; a replay within the grace gets the same one', async () => {
    const pair = await sessions.create(ALICE, 'access', null)
    const { tokenId } = await tokens.verifyRefresh(pair.refreshJwt)
    const first = await sessions.rotate(ALICE, tokenId)
    expect(first.refreshJwt).not.toBe(pair.refreshJwt)
    clock += 1000
    const replay = await sessions.rotate(ALICE, tokenId)
    expect(replay.refreshJwt).toBe(first.refreshJwt)
    expect(await sessions.authenticate(replay.accessJwt)).toMatchObject({ did: ALICE })
  })

  test('a rotated token is refused once its grace period is over', async () => {
    const pair = await sessions.create(ALICE, 'access', null)
    const { tokenId } = await tokens.verifyRefresh(pair.refreshJwt)
    const next = await sessions.rotate(ALICE, tokenId)
    clock += REFRESH_GRACE_MS + 1000
    const err = await xrpcError(() => sessions.rotate(ALICE, tokenId))
    expect((await xrpcError(() => sessions.authenticate(next.accessJwt))).error).toBe('ExpiredToken')
    expect([err.status, err.error, err.message]).toEqual([400, 'ExpiredToken', 'Token has been revoked'])
    const nextId = (await tokens.verifyRefresh(next.refreshJwt)).tokenId
    expect((await sessions.rotate(ALICE, nextId)).refreshJwt).not.toBe(next.refreshJwt)
  })

  test('revoking a session kills its access token and refresh token at once', async () => {
    const pair = await sessions.create(ALICE, 'appPass', null)
    const { tokenId } = await tokens.verifyRefresh(pair.refreshJwt)
    sessions.revokeByRefreshToken(tokenId)
    expect((await xrpcError(() => sessions.authenticate(pair.accessJwt))).error).toBe('ExpiredToken')
    expect((await xrpcError(() => sessions.rotate(ALICE, tokenId))).error).toBe('ExpiredToken')
  })

  test('a taken-down account is refused with AccountTakedown', async () => {
    const pair = await sessions.create(ALICE, 'access', null)
    tables.accounts.setTakedownRef(ALICE, 'mod-1')
    const err = await xrpcError(() => sessions.authenticate(pair.accessJwt))
    tables.accounts.setTakedownRef(ALICE, null)
    expect([err.status, err.error]).toEqual([401, 'AccountTakedown'])
  })

  test('revoking every session of an account ends them all', async () => {
    const a = await sessions.create(ALICE, 'access', null)
    const b = await sessions.create(ALICE, 'appPassPrivileged', null)
    tables.db.transaction(() => sessions.revokeAllInTx(ALICE))
    expect((await xrpcError(() => sessions.authenticate(a.accessJwt))).error).toBe('ExpiredToken')
    expect((await xrpcError(() => sessions.authenticate(b.accessJwt))).error).toBe('ExpiredToken')
    expect(tables.sessions.countSessions(ALICE)).toBe(0)
  })
})

describe('failed-login limiter', () => {
  test(`locks a key out after ${MAX_FAILURES} failures until the window ends`, async () => {
    let clock = 0
    const limiter = new LoginLimiter(() => clock)
    for (let i = 0; i < MAX_FAILURES; i++) {
      limiter.check('alice\n1.2.3.4')
      limiter.recordFailure('alice\n1.2.3.4')
    }
    const err = await xrpcError(() => limiter.check('alice\n1.2.3.4'))
    expect([err.status, err.error]).toEqual([429, 'RateLimitExceeded'])
    expect(Number(err.headers?.['Retry-After'])).toBe(WINDOW_MS / 1000)
    limiter.check('alice\n5.6.7.8')
    clock += WINDOW_MS
    limiter.check('alice\n1.2.3.4')
  })

  test('forgets the failures of a key after a successful login', () => {
    const limiter = new LoginLimiter(() => 0)
    for (let i = 0; i < MAX_FAILURES; i++) limiter.recordFailure('k')
    limiter.reset('k')
    limiter.check('k')
  })
})

describe('admin auth', () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`

  test('accepts admin:<admin_password> and nothing else', () => {
    const auth = new AdminAuth('s3cret:with:colons')
    expect(auth.check(basic('admin:s3cret:with:colons'))).toBe(true)
    expect(auth.check(`basic ${Buffer.from('admin:s3cret:with:colons').toString('base64')}`)).toBe(true)
    for (const header of [
      basic('admin:wrong'),
      basic('root:s3cret:with:colons'),
      'Bearer x',
      'Basic',
      null,
    ]) {
      expect(auth.check(header)).toBe(false)
    }
  })

  test('refuses everything when no admin_password is configured', () => {
    expect(new AdminAuth(undefined).check(basic('admin:'))).toBe(false)
  })
})
