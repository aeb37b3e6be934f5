// Sessions (login, refresh, resume, logout) and app passwords on a did:web server, driven by the
// official client (@atproto/api AtpAgent / CredentialSession) over a real port.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { AtpAgent, AtpSessionData } from '@atproto/api'
import { decodeJwt } from 'jose'
import { failure, harnessClient, PASSWORD } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await startHarness({ config: { testing_auto_confirm_email: false } })
})
afterAll(() => h.stop())

const { agent, signUp, xrpc } = harnessClient(() => h)

describe('sessions', () => {
  let frank: AtpAgent
  beforeAll(async () => {
    frank = await signUp('frank', 'Frank@Example.com')
  })

  test.each([
    ['the handle', 'frank.test'],
    ['the handle in capitals', 'FRANK.TEST'],
    ['the bare name', 'frank'],
    ['the email address', 'FRANK@example.com'],
  ])('logs in by %s', async (_, identifier) => {
    const a = agent()
    const res = await a.login({ identifier, password: PASSWORD })
    expect(res.data).toMatchObject({ handle: 'frank.test', email: 'frank@example.com', active: true })
    expect(a.session?.did).toBe(frank.session!.did)
  })

  test('logs in by DID', async () => {
    const a = agent()
    await a.login({ identifier: frank.session!.did, password: PASSWORD })
    expect(a.session?.handle).toBe('frank.test')
  })

  test('access and refresh tokens carry the reference claims', () => {
    const { accessJwt, refreshJwt } = frank.session!
    const serviceDid = `did:web:localhost%3A${new URL(h.baseUrl).port}`
    expect(decodeJwt(accessJwt)).toMatchObject({
      scope: 'com.atproto.access',
      sub: frank.session!.did,
      aud: serviceDid,
    })
    expect(decodeJwt(refreshJwt)).toMatchObject({
      scope: 'com.atproto.refresh',
      sub: frank.session!.did,
      aud: serviceDid,
    })
    expect(typeof decodeJwt(refreshJwt).jti).toBe('string')
  })

  test('refreshes, and a replay of the old refresh token gets the same successor', async () => {
    const a = agent()
    await a.login({ identifier: 'frank.test', password: PASSWORD })
    const old = a.session!.refreshJwt
    await a.sessionManager.refreshSession()
    const next = a.session!.refreshJwt
    expect(next).not.toBe(old)
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.refreshSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${old}` },
    })
    expect(((await res.json()) as { refreshJwt: string }).refreshJwt).toBe(next)
    expect((await a.com.atproto.server.getSession()).data.handle).toBe('frank.test')
  })

  test('resumes a saved session', async () => {
    const a = agent()
    await a.login({ identifier: 'frank.test', password: PASSWORD })
    const saved: AtpSessionData = { ...a.session! }
    const b = agent()
    await b.resumeSession(saved)
    expect((await b.com.atproto.server.getSession()).data.did).toBe(frank.session!.did)
  })

  test('logout revokes both tokens at once', async () => {
    const a = agent()
    await a.login({ identifier: 'frank.test', password: PASSWORD })
    const { accessJwt, refreshJwt } = a.session!
    await a.logout()
    const access = await xrpc('com.atproto.server.getSession', { token: accessJwt })
    expect([access.status, access.body?.error]).toEqual([400, 'ExpiredToken'])
    const refresh = await fetch(`${h.url}/xrpc/com.atproto.server.refreshSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${refreshJwt}` },
    })
    expect([refresh.status, ((await refresh.json()) as { error: string }).error]).toEqual([
      400,
      'ExpiredToken',
    ])
  })

  test('refuses a wrong password or an unknown account with the same answer', async () => {
    for (const identifier of ['frank.test', 'nobody.test', 'nobody@example.com']) {
      const f = await failure(agent().login({ identifier, password: 'wrong password' }))
      expect(f).toEqual({
        status: 401,
        error: 'AuthenticationRequired',
        message: 'Invalid identifier or password',
      })
    }
  })

  test('answers AuthMissing without a token, InvalidToken for a bad one', async () => {
    expect((await xrpc('com.atproto.server.getSession')).body?.error).toBe('AuthMissing')
    expect((await xrpc('com.atproto.server.getSession', { token: 'garbage' })).body?.error).toBe(
      'InvalidToken',
    )
    const refreshAsAccess = await xrpc('com.atproto.server.getSession', { token: frank.session!.refreshJwt })
    expect([refreshAsAccess.status, refreshAsAccess.body?.error]).toEqual([400, 'InvalidToken'])
  })

  test('locks out an account and IP after 10 wrong passwords with 429', async () => {
    await signUp('grace')
    for (let i = 0; i < 10; i++)
      await failure(agent().login({ identifier: 'grace.test', password: 'nope nope' }))
    const f = await failure(agent().login({ identifier: 'grace.test', password: PASSWORD }))
    expect([f.status, f.error]).toEqual([429, 'RateLimitExceeded'])
  })
})

describe('app passwords', () => {
  let judy: AtpAgent
  beforeAll(async () => {
    judy = await signUp('judy')
  })

  test('are created, listed, used to log in and revoked', async () => {
    const { data: created } = await judy.com.atproto.server.createAppPassword({ name: 'my client' })
    expect(created.password).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/)
    expect(created.privileged).toBe(false)
    const listed = (await judy.com.atproto.server.listAppPasswords()).data.passwords
    expect(listed.map((p) => p.name)).toContain('my client')
    expect(JSON.stringify(listed)).not.toContain(created.password)

    const client = agent()
    await client.login({ identifier: 'judy.test', password: created.password })
    expect(decodeJwt(client.session!.accessJwt).scope).toBe('com.atproto.appPass')
    expect((await client.com.atproto.server.getSession()).data.handle).toBe('judy.test')

    await judy.com.atproto.server.revokeAppPassword({ name: 'my client' })
    const dead = await xrpc('com.atproto.server.getSession', { token: client.session!.accessJwt })
    expect(dead.body?.error).toBe('ExpiredToken')
    const relogin = await failure(agent().login({ identifier: 'judy.test', password: created.password }))
    expect(relogin.status).toBe(401)
  })

  test('refuse a duplicate name', async () => {
    await judy.com.atproto.server.createAppPassword({ name: 'twice' })
    const f = await failure(judy.com.atproto.server.createAppPassword({ name: 'twice' }))
    expect([f.status, f.error]).toEqual([400, 'InvalidRequest'])
  })

  test('sessions cannot manage account security', async () => {
    const { data } = await judy.com.atproto.server.createAppPassword({
      name: 'privileged one',
      privileged: true,
    })
    const client = agent()
    await client.login({ identifier: 'judy.test', password: data.password })
    expect(decodeJwt(client.session!.accessJwt).scope).toBe('com.atproto.appPassPrivileged')
    for (const call of [
      () => client.com.atproto.server.createAppPassword({ name: 'x' }),
      () => client.com.atproto.server.listAppPasswords(),
      () => client.com.atproto.server.deactivateAccount({}),
      () => client.com.atproto.server.requestAccountDelete(),
      () => client.com.atproto.server.requestEmailUpdate(),
    ]) {
      expect(await failure(call())).toMatchObject({
        status: 400,
        error: 'InvalidToken',
        message: 'Bad token scope',
      })
    }
  })

  test('non-privileged ones cannot get service auth for chat', async () => {
    const { data } = await judy.com.atproto.server.createAppPassword({ name: 'plain' })
    const client = agent()
    await client.login({ identifier: 'judy.test', password: data.password })
    const params = { aud: 'did:web:api.bsky.chat', lxm: 'chat.bsky.convo.listConvos' }
    const f = await failure(client.com.atproto.server.getServiceAuth(params))
    expect(f.message).toContain('insufficient access')
    expect((await judy.com.atproto.server.getServiceAuth(params)).data.token).toBeString()
  })
})
