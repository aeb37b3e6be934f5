import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type SignedUp, signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

const BYPASS_KEY = 'operator-bypass-key-for-the-test'
const NOTE = 'com.example.note'

interface Call {
  method?: 'GET' | 'POST'
  token?: string
  body?: unknown
  headers?: Record<string, string>
}

function xrpc(h: Harness, nsid: string, init: Call = {}) {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${h.url}/xrpc/${nsid}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
}

const confirmEmail = (h: Harness, token: string, headers: Record<string, string> = {}) =>
  xrpc(h, 'com.atproto.server.requestEmailConfirmation', { method: 'POST', token, headers })

const limitHeaders = (res: Response) => ({
  limit: res.headers.get('ratelimit-limit'),
  remaining: res.headers.get('ratelimit-remaining'),
  policy: res.headers.get('ratelimit-policy'),
})

describe('rate limits (reference values)', () => {
  let h: Harness
  let alice: SignedUp
  let bob: SignedUp
  const tokenOf = (account: SignedUp) => account.agent.session!.accessJwt
  beforeAll(async () => {
    h = await startHarness({ config: { rate_limit_bypass_key: BYPASS_KEY } })
    alice = await signUp(h, 'alice')
    bob = await signUp(h, 'bob')
  })
  afterAll(() => h.stop())

  test('every call carries the global per-IP limit in RateLimit-* headers', async () => {
    const before = Math.floor(Date.now() / 1000)
    const res = await xrpc(h, 'com.atproto.server.describeServer')
    expect(res.status).toBe(200)
    expect(limitHeaders(res)).toMatchObject({ limit: '3000', policy: '3000;w=300' })
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(3000)
    const reset = Number(res.headers.get('ratelimit-reset'))
    expect(reset).toBeGreaterThan(before)
    expect(reset).toBeLessThanOrEqual(before + 301)
  })

  test('refuses the sixth email confirmation request of an hour with 429 and the limit headers', async () => {
    const request = () => confirmEmail(h, tokenOf(alice))
    for (let i = 1; i <= 5; i++) {
      const res = await request()
      expect(res.status).toBe(200)
      expect(limitHeaders(res)).toEqual({ limit: '5', remaining: String(5 - i), policy: '5;w=3600' })
    }
    const refused = await request()
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({ error: 'RateLimitExceeded' })
    expect(limitHeaders(refused)).toEqual({ limit: '5', remaining: '0', policy: '5;w=3600' })
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(3500)
    expect(retryAfter).toBeLessThanOrEqual(3600)
    // Per account: bob still has his own five.
    const other = await confirmEmail(h, tokenOf(bob))
    expect(other.status).toBe(200)
  })

  test('lets the operator bypass the limits with x-ratelimit-bypass, and only with the right key', async () => {
    const request = (key: string) => confirmEmail(h, tokenOf(alice), { 'x-ratelimit-bypass': key })
    const bypassed = await request(BYPASS_KEY)
    expect(bypassed.status).toBe(200)
    expect(bypassed.headers.has('ratelimit-limit')).toBe(false)
    expect((await request(`${BYPASS_KEY}x`)).status).toBe(429)
  })

  test('charges repo writes in points per account: create 3, update 2, delete 1', async () => {
    const write = (account: SignedUp, nsid: string, body: unknown) =>
      xrpc(h, nsid, { token: tokenOf(account), body })
    const create = (rkey: string) => ({
      $type: 'com.atproto.repo.applyWrites#create',
      collection: NOTE,
      rkey,
      value: record,
    })
    const record = { $type: NOTE, text: 'hello' }
    // 4 x 200 creates: 2400 of the 5000 hourly points, so this bucket is now the tightest
    // (the headers show the tightest limit, and the global one has ~2990 left).
    for (let batch = 0; batch < 4; batch++) {
      const writes = Array.from({ length: 200 }, (_, i) => create(`bulk${batch}-${i}`))
      expect((await write(bob, 'com.atproto.repo.applyWrites', { repo: bob.did, writes })).status).toBe(200)
    }
    const steps: [string, unknown, string][] = [
      ['com.atproto.repo.createRecord', { repo: bob.did, collection: NOTE, rkey: 'a', record }, '2597'],
      ['com.atproto.repo.putRecord', { repo: bob.did, collection: NOTE, rkey: 'a', record }, '2595'],
      ['com.atproto.repo.deleteRecord', { repo: bob.did, collection: NOTE, rkey: 'a' }, '2594'],
      [
        'com.atproto.repo.applyWrites',
        {
          repo: bob.did,
          writes: [
            create('b'),
            {
              $type: 'com.atproto.repo.applyWrites#update',
              collection: NOTE,
              rkey: 'bulk0-0',
              value: record,
            },
            { $type: 'com.atproto.repo.applyWrites#delete', collection: NOTE, rkey: 'bulk0-1' },
          ],
        },
        '2588',
      ],
    ]
    for (const [nsid, body, remaining] of steps) {
      const res = await write(bob, nsid, body)
      expect(res.status).toBe(200)
      expect(limitHeaders(res)).toEqual({ limit: '5000', remaining, policy: '5000;w=3600' })
    }
    // Alice's bucket is her own: her write shows the global limit, the tighter one for her.
    const hers = await write(alice, 'com.atproto.repo.createRecord', {
      repo: alice.did,
      collection: NOTE,
      record,
    })
    expect(limitHeaders(hers)).toMatchObject({ limit: '3000', policy: '3000;w=300' })
  })
})

describe('rate_limits_enabled: false', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ config: { rate_limits_enabled: false } })
  })
  afterAll(() => h.stop())

  test('sends no RateLimit headers and refuses nothing', async () => {
    const account = await signUp(h, 'carol')
    const token = account.agent.session!.accessJwt
    for (let i = 0; i < 7; i++) {
      const res = await confirmEmail(h, token)
      expect(res.status).toBe(200)
      expect(res.headers.has('ratelimit-limit')).toBe(false)
    }
  })
})
