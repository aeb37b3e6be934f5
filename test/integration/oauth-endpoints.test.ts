// The OAuth HTTP surface on the real server: discovery documents advertise exactly what is
// implemented, the JSON endpoints answer in OAuth's error format with DPoP-Nonce and CORS
// headers, XRPC answers DPoP failures with WWW-Authenticate, and the pages refuse forged forms.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { dpopProof, newKey } from '../helpers/oauth.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.stop())

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.url}${path}`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toStartWith('application/json')
  return (await res.json()) as Record<string, unknown>
}

function postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  })
}

describe('discovery', () => {
  test('the protected resource names this server as its authorization server', async () => {
    const meta = await getJson('/.well-known/oauth-protected-resource')
    expect(meta).toMatchObject({ resource: h.baseUrl, authorization_servers: [h.baseUrl] })
  })

  test('the authorization server metadata advertises the atproto profile', async () => {
    const meta = await getJson('/.well-known/oauth-authorization-server')
    expect(meta).toMatchObject({
      issuer: h.baseUrl,
      authorization_endpoint: `${h.baseUrl}/oauth/authorize`,
      token_endpoint: `${h.baseUrl}/oauth/token`,
      revocation_endpoint: `${h.baseUrl}/oauth/revoke`,
      pushed_authorization_request_endpoint: `${h.baseUrl}/oauth/par`,
      jwks_uri: `${h.baseUrl}/oauth/jwks`,
      require_pushed_authorization_requests: true,
      code_challenge_methods_supported: ['S256'],
      dpop_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      scopes_supported: ['atproto', 'transition:generic', 'transition:email', 'transition:chat.bsky'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    })
    expect(meta.response_modes_supported).toContain('query')
    expect(meta.prompt_values_supported).toEqual(expect.arrayContaining(['login', 'consent']))
  })

  test('the JWK Set publishes an ES256 signing key, the same across requests', async () => {
    const first = (await getJson('/oauth/jwks')) as { keys: Array<Record<string, string>> }
    expect(first.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(first.keys[0]!.d).toBeUndefined()
    expect(await getJson('/oauth/jwks')).toEqual(first)
  })
})

describe('JSON endpoints', () => {
  test('PAR without a proof is invalid_dpop_proof in OAuth format, with a nonce and CORS', async () => {
    const res = await postForm(
      '/oauth/par',
      { client_id: 'http://localhost' },
      { origin: 'https://app.example' },
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_dpop_proof' })
    expect(res.headers.get('dpop-nonce')).toBeString()
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  test('PAR with a proof but no nonce is use_dpop_nonce; with the nonce it reaches the request checks', async () => {
    const key = await newKey()
    const htu = `${h.url}/oauth/par`
    const first = await postForm(
      '/oauth/par',
      { client_id: 'http://localhost' },
      { dpop: await dpopProof(key, { htu }) },
    )
    expect(first.status).toBe(400)
    expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' })
    const nonce = first.headers.get('dpop-nonce')!
    const second = await postForm(
      '/oauth/par',
      { client_id: 'http://localhost' },
      { dpop: await dpopProof(key, { htu, nonce }) },
    )
    expect(await second.json()).toMatchObject({ error: 'unsupported_response_type' })
  })

  test('behind the proxy, the proof must name the public URL, not the internal one', async () => {
    const key = await newKey()
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'pds.example.com' }
    const nonce = (await postForm('/oauth/token', {})).headers.get('dpop-nonce')!
    const internal = await dpopProof(key, { htu: `${h.url}/oauth/token`, nonce })
    const refused = await postForm('/oauth/token', {}, { ...proxied, dpop: internal })
    expect(await refused.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringContaining('htu'),
    })
    const external = await dpopProof(key, { htu: 'https://pds.example.com/oauth/token', nonce })
    const accepted = await postForm('/oauth/token', {}, { ...proxied, dpop: external })
    expect(await accepted.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'client_id is required',
    })
  })

  test('the preflight of an OAuth endpoint allows the DPoP header', async () => {
    const res = await fetch(`${h.url}/oauth/token`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'dpop',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-headers')).toContain('DPoP')
  })

  test('revoking an unknown token succeeds', async () => {
    expect((await postForm('/oauth/revoke', { token: 'nothing' })).status).toBe(200)
  })
})

describe('XRPC with DPoP', () => {
  test('a DPoP token without a proof is 401 with WWW-Authenticate: DPoP', async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.getSession`, {
      headers: { authorization: 'DPoP abc' },
    })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toStartWith('DPoP ')
    expect(res.headers.get('dpop-nonce')).toBeString()
  })
})

describe('pages', () => {
  test('the authorize page explains an unknown request instead of redirecting', async () => {
    const res = await fetch(`${h.url}/oauth/authorize?client_id=http%3A%2F%2Flocalhost&request_uri=urn%3Ax`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toStartWith('text/html')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(await res.text()).toContain('expired or was already used')
  })

  test('a form post without the CSRF cookie is refused', async () => {
    const res = await postForm('/oauth/authorize', {
      action: 'allow',
      csrf: 'forged',
      client_id: 'x',
      request_uri: 'y',
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('This form has expired')
  })

  test('the account page asks for a sign-in and sets a CSRF cookie', async () => {
    const res = await fetch(`${h.url}/account`)
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toContain('perlsky_csrf=')
    const body = await res.text()
    expect(body).toContain('<label for="identifier">Handle or email</label>')
    expect(body).toContain('name="csrf"')
  })

  test('the stylesheet is served for the pages', async () => {
    const res = await fetch(`${h.url}/oauth/assets/style.css`)
    expect(res.headers.get('content-type')).toStartWith('text/css')
    expect(await res.text()).toContain(':focus-visible')
  })
})
