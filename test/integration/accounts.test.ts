// Sign-up, account status and service auth on a did:web server, driven by the official client
// (@atproto/api AtpAgent) over a real port. Sessions and app passwords: accounts-sessions.test.ts.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { decodeServiceJwt, verifyJwtSignature } from '../../src/core/service-jwt.ts'
import { failure, harnessClient, PASSWORD } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ config: { testing_auto_confirm_email: false } })
})
afterAll(() => h.stop())

const { agent, signUp, xrpc } = harnessClient(() => h)

describe('sign-up', () => {
  test("the seed's curl example works verbatim: a short handle gets the service domain", async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.createAccount`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ handle: 'alice', email: 'alice@example.com', password: PASSWORD }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, string>
    expect(body.handle).toBe('alice.test')
    expect(body.did).toMatch(
      new RegExp(`^did:web:localhost%3A${new URL(h.baseUrl).port}:users:[a-z2-7]{16}$`),
    )
    expect(typeof body.accessJwt).toBe('string')
    expect(typeof body.refreshJwt).toBe('string')
  })

  test('a did:web account has its DID document at /users/<id>/did.json', async () => {
    const a = await signUp('webby')
    const did = a.session!.did
    const id = did.split(':').at(-1)!
    const res = await fetch(`${h.url}/users/${id}/did.json`)
    expect(res.status).toBe(200)
    const doc = (await res.json()) as Record<string, unknown>
    const key = h.ctx.accounts.signingKey(did).did()
    expect(doc).toMatchObject({
      id: did,
      alsoKnownAs: ['at://webby.test'],
      verificationMethod: [{ id: `${did}#atproto`, type: 'Multikey', publicKeyMultibase: key.slice(8) }],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: h.baseUrl }],
    })
    expect((await fetch(`${h.url}/users/aaaaaaaaaaaaaaaa/did.json`)).status).toBe(404)
  })

  test('the client gets a live session, its DID document and its repo', async () => {
    const a = await signUp('carol')
    const { data } = await a.com.atproto.server.getSession()
    expect(data).toMatchObject({
      handle: 'carol.test',
      email: 'carol@example.com',
      emailConfirmed: false,
      active: true,
    })
    expect((data.didDoc as { id: string }).id).toBe(a.session!.did)
    const repo = await a.com.atproto.repo.describeRepo({ repo: a.session!.did })
    expect(repo.data.handle).toBe('carol.test')
  })

  test('an email address is optional', async () => {
    const a = agent()
    await a.createAccount({ handle: 'noemail.test', password: PASSWORD })
    expect((await a.com.atproto.server.getSession()).data.email).toBeUndefined()
  })

  test.each([
    ['-bad', 'InvalidHandle'],
    ['al', 'InvalidHandle'],
    ['waytoolongforahandle', 'InvalidHandle'],
    ['x.y.test', 'InvalidHandle'],
    ['admin', 'HandleNotAvailable'],
    ['alice', 'HandleNotAvailable'],
    ['alice.example.com', 'UnsupportedDomain'],
  ])('refuses the handle %p with %s', async (handle, error) => {
    const res = await xrpc('com.atproto.server.createAccount', { body: { handle, password: PASSWORD } })
    expect(res.status).toBe(400)
    expect(res.body?.error).toBe(error)
  })

  test('says which handle is taken', async () => {
    const f = await failure(agent().createAccount({ handle: 'ALICE.test', password: PASSWORD }))
    expect(f).toEqual({
      status: 400,
      error: 'HandleNotAvailable',
      message: 'Handle already taken: alice.test',
    })
  })

  test.each([
    [undefined, 'Password is required'],
    ['short', 'Password must be at least 8 characters long'],
    ['x'.repeat(257), 'Password too long. Maximum length is 256 characters.'],
  ])('refuses the password %#: InvalidPassword "%s"', async (password, message) => {
    const f = await failure(agent().createAccount({ handle: 'pwtest.test', password: password as string }))
    expect(f).toEqual({ status: 400, error: 'InvalidPassword', message })
  })

  test('refuses an email address in use, whatever its case, and an invalid one', async () => {
    const taken = await failure(
      agent().createAccount({ handle: 'dave.test', email: 'Alice@Example.com', password: PASSWORD }),
    )
    expect(taken).toMatchObject({
      status: 400,
      error: 'InvalidRequest',
      message: 'Email already taken: alice@example.com',
    })
    const invalid = await failure(
      agent().createAccount({ handle: 'dave.test', email: 'not-an-email', password: PASSWORD }),
    )
    expect(invalid).toMatchObject({ status: 400, error: 'InvalidRequest', message: 'Invalid email address' })
  })

  test('does not take invite codes when they are not required', async () => {
    const a = agent()
    await a.createAccount({ handle: 'erin.test', password: PASSWORD, inviteCode: 'perlsky-000000000000' })
    expect(a.session?.handle).toBe('erin.test')
  })
})

describe('account status', () => {
  test('a deactivated account may log in and sees active: false', async () => {
    const a = await signUp('heidi')
    await a.com.atproto.server.deactivateAccount({})
    const b = agent()
    const res = await b.login({ identifier: 'heidi.test', password: PASSWORD })
    expect(res.data).toMatchObject({ active: false, status: 'deactivated' })
    await b.com.atproto.server.activateAccount()
    expect((await b.com.atproto.server.getSession()).data).toMatchObject({ active: true })
  })

  test('a taken-down account cannot log in or use its tokens', async () => {
    const a = await signUp('ivan')
    h.ctx.accounts.tables.accounts.setTakedownRef(a.session!.did, 'test-takedown')
    const login = await failure(agent().login({ identifier: 'ivan.test', password: PASSWORD }))
    expect([login.status, login.error]).toEqual([401, 'AccountTakedown'])
    const use = await xrpc('com.atproto.server.getSession', { token: a.session!.accessJwt })
    expect([use.status, use.body?.error]).toEqual([401, 'AccountTakedown'])
  })
})

describe('service auth and signing keys', () => {
  test('getServiceAuth signs with the account key', async () => {
    const a = await signUp('kim')
    const aud = 'did:web:feed.example.com'
    const { data } = await a.com.atproto.server.getServiceAuth({ aud, lxm: 'app.bsky.feed.getFeedSkeleton' })
    const jwt = decodeServiceJwt(data.token)
    expect(jwt.payload).toMatchObject({ iss: a.session!.did, aud, lxm: 'app.bsky.feed.getFeedSkeleton' })
    expect(jwt.payload.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60)
    expect(verifyJwtSignature(jwt, h.ctx.accounts.signingKey(a.session!.did).did())).toBe(true)
  })

  test('getServiceAuth refuses protected methods and bad expirations', async () => {
    const a = await signUp('leo')
    const now = Math.floor(Date.now() / 1000)
    const aud = 'did:web:x.example.com'
    const protectedMethod = await failure(
      a.com.atproto.server.getServiceAuth({ aud, lxm: 'com.atproto.server.createAppPassword' }),
    )
    expect(protectedMethod.message).toContain('protected method')
    for (const exp of [now - 10, now + 2 * 3600]) {
      const f = await failure(a.com.atproto.server.getServiceAuth({ aud, lxm: 'app.bsky.feed.getFeed', exp }))
      expect([f.status, f.error]).toEqual([400, 'BadExpiration'])
    }
    const methodless = await failure(a.com.atproto.server.getServiceAuth({ aud, exp: now + 300 }))
    expect(methodless.error).toBe('BadExpiration')
  })

  test('reserveSigningKey keeps one key per DID', async () => {
    const did = 'did:plc:reservedreservedreserved'
    const first = await agent().com.atproto.server.reserveSigningKey({ did })
    const second = await agent().com.atproto.server.reserveSigningKey({ did })
    expect(first.data.signingKey).toMatch(/^did:key:zQ3s/)
    expect(second.data.signingKey).toBe(first.data.signingKey)
  })
})

describe('a server whose hostname lies under its handle domain', () => {
  test("refuses the server's own hostname as a handle", async () => {
    const server = await startHarness({ config: { hostname: 'pds.test' } })
    try {
      const res = await fetch(`${server.url}/xrpc/com.atproto.server.createAccount`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handle: 'pds.test', password: PASSWORD }),
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: 'HandleNotAvailable', message: 'Reserved handle' })
    } finally {
      await server.stop()
    }
  })
})
