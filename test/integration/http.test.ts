// The HTTP surface of a real server on a loopback port: health, well-known, describeServer,
// CORS, the XRPC method-resolution errors, and the per-request headers.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { VERSION } from '../../src/lib/version.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness

beforeAll(async () => {
  h = await startHarness({
    config: {
      invite_code_required: true,
      contact_email_address: 'admin@example.com',
      privacy_policy_url: 'https://example.com/privacy',
      terms_of_service_url: 'https://example.com/tos',
    },
  })
})
afterAll(() => h.stop())

const xrpc = (nsid: string, init?: RequestInit) => fetch(`${h.url}/xrpc/${nsid}`, init)
const port = () => new URL(h.url).port

describe('health', () => {
  for (const path of ['/_health', '/xrpc/_health']) {
    test(`GET ${path} reports ok and the version`, async () => {
      const res = await fetch(h.url + path)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'ok', version: VERSION })
    })
  }
})

describe('service identity', () => {
  test('/.well-known/did.json is the did:web document with the port encoded as %3A', async () => {
    const res = await fetch(`${h.url}/.well-known/did.json`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: `did:web:localhost%3A${port()}`,
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: h.baseUrl }],
    })
  })

  test('describeServer answers from the config', async () => {
    const res = await xrpc('com.atproto.server.describeServer')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toStartWith('application/json')
    expect(await res.json()).toEqual({
      did: `did:web:localhost%3A${port()}`,
      availableUserDomains: ['.test'],
      inviteCodeRequired: true,
      phoneVerificationRequired: false,
      blobUploadLimit: h.config.blob_upload_limit,
      links: { privacyPolicy: 'https://example.com/privacy', termsOfService: 'https://example.com/tos' },
      contact: { email: 'admin@example.com' },
    })
  })

  test('describeServer works through @atproto/api', async () => {
    const agent = new AtpAgent({ service: h.url })
    const { data } = await agent.com.atproto.server.describeServer()
    expect(data.availableUserDomains).toEqual(['.test'])
    expect(data.inviteCodeRequired).toBe(true)
  })
})

describe('CORS', () => {
  test('answers a preflight with the exact headers', async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.createSession`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://bsky.app',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-custom-thing, authorization',
      },
    })
    expect(res.status).toBe(204)
    const headers = Object.fromEntries(
      [...res.headers].filter(([name]) => name.startsWith('access-control-')),
    )
    expect(headers).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
      'access-control-allow-headers':
        'Authorization, Content-Type, DPoP, Atproto-Accept-Labelers, Atproto-Proxy, x-custom-thing',
      'access-control-expose-headers':
        'WWW-Authenticate, DPoP-Nonce, atproto-repo-rev, atproto-content-labelers, Atproto-Upstream-Lag, ' +
        'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy',
      'access-control-max-age': '86400',
    })
    expect(await res.text()).toBe('')
  })

  test('answers a preflight on /.well-known/ too', async () => {
    const res = await fetch(`${h.url}/.well-known/did.json`, { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  test('puts Allow-Origin on normal and error responses of CORS paths', async () => {
    for (const res of [await xrpc('com.atproto.server.describeServer'), await xrpc('com.example.nothing')]) {
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      expect(res.headers.get('access-control-expose-headers')).toContain('DPoP-Nonce')
    }
  })
})

describe('XRPC method resolution', () => {
  const cases: [string, string, RequestInit, number, { error: string; message: string }][] = [
    ['an unknown NSID', 'com.example.nothing.here', {}, 501, notImplemented()],
    [
      'a known method without a handler',
      'com.atproto.temp.requestPhoneVerification',
      {
        method: 'POST',
        body: '{"phoneNumber":"+15550100"}',
        headers: { 'content-type': 'application/json' },
      },
      501,
      notImplemented(),
    ],
    [
      'POST to a query',
      'com.atproto.server.describeServer',
      { method: 'POST' },
      400,
      { error: 'InvalidRequest', message: 'Incorrect HTTP method (POST) expected GET' },
    ],
    [
      'GET of a procedure',
      'com.atproto.repo.createRecord',
      {},
      400,
      { error: 'InvalidRequest', message: 'Incorrect HTTP method (GET) expected POST' },
    ],
    [
      'a path that is not an NSID',
      'not_an_nsid',
      {},
      400,
      { error: 'InvalidRequest', message: 'invalid xrpc path' },
    ],
  ]
  for (const [what, nsid, init, status, body] of cases) {
    test(`${what} is ${status} ${body.error}`, async () => {
      const res = await xrpc(nsid, init)
      expect(res.status).toBe(status)
      expect(await res.json()).toEqual(body)
    })
  }

  test('@atproto/api sees MethodNotImplemented as an XRPC error', async () => {
    const agent = new AtpAgent({ service: h.url })
    // Phone verification belongs to an entryway, never to a PDS, so it stays unimplemented.
    const call = agent.com.atproto.temp.requestPhoneVerification({ phoneNumber: '+15550100' })
    await expect(call).rejects.toMatchObject({ status: 501, error: 'MethodNotImplemented' })
  })
})

describe('other routes', () => {
  test('GET / is a plain-text banner', async () => {
    const res = await fetch(`${h.url}/`)
    expect(res.headers.get('content-type')).toStartWith('text/plain')
    const text = await res.text()
    expect(text).toContain('perlsky')
    expect(text).toContain('https://atproto.com')
  })

  test('GET /robots.txt allows everything', async () => {
    expect(await (await fetch(`${h.url}/robots.txt`)).text()).toContain('User-agent: *\nAllow: /')
  })

  test('an unknown path is a JSON 404', async () => {
    const res = await fetch(`${h.url}/no/such/page`, { method: 'DELETE' })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'NotFound', message: 'Not Found' })
  })

  test('every response carries a fresh X-Request-Id', async () => {
    const responses = await Promise.all([
      fetch(`${h.url}/`),
      fetch(`${h.url}/nope`),
      xrpc('com.example.nothing'),
    ])
    const ids = responses.map((res) => res.headers.get('x-request-id'))
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Set(ids).size).toBe(3)
  })
})

function notImplemented() {
  return { error: 'MethodNotImplemented', message: 'Method Not Implemented' }
}
