// The key-free DPoP proof checks (RFC 9449 §4.3), PKCE S256 (RFC 7636 appendix B) and the pure
// OAuth request rules: client ids, redirect URIs, client metadata, authorization parameters.
import { describe, expect, test } from 'bun:test'
import { parseAuthorizationRequest } from '../../../src/core/oauth/authorization-request.ts'
import { loopbackClientMetadata, parseClientId } from '../../../src/core/oauth/client-id.ts'
import { type ClientMetadata, validateClientMetadata } from '../../../src/core/oauth/client-metadata.ts'
import { accessTokenHash, dpopClaimsProblem, normalizeHtu } from '../../../src/core/oauth/dpop-claims.ts'
import { OAuthError } from '../../../src/core/oauth/errors.ts'
import { s256Challenge, verifyPkce } from '../../../src/core/oauth/pkce.ts'
import { redirectUriMatches, redirectUriProblem } from '../../../src/core/oauth/redirect-uri.ts'

const NOW = 1_700_000_000
const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }
const payload = { jti: 'j1', htm: 'POST', htu: 'https://pds.example.com/oauth/token', iat: NOW }
const expect0 = { htm: 'POST', htu: 'https://pds.example.com/oauth/token', nowSeconds: NOW }

describe('DPoP claims', () => {
  test('accepts a well-formed proof', () => {
    expect(dpopClaimsProblem(header, payload, expect0)).toBeUndefined()
  })

  const refused: Array<[string, object, object]> = [
    ['a wrong typ', { ...header, typ: 'JWT' }, payload],
    ['an unsupported alg', { ...header, alg: 'HS256' }, payload],
    ['a private key', { ...header, jwk: { ...header.jwk, d: 'secret' } }, payload],
    ['no jwk', { typ: 'dpop+jwt', alg: 'ES256' }, payload],
    ['no jti', header, { ...payload, jti: undefined }],
    ['a wrong htm', header, { ...payload, htm: 'GET' }],
    ['a wrong htu path', header, { ...payload, htu: 'https://pds.example.com/oauth/par' }],
    ['a wrong htu host', header, { ...payload, htu: 'https://evil.example.com/oauth/token' }],
    ['a wrong htu scheme', header, { ...payload, htu: 'http://pds.example.com/oauth/token' }],
    ['a stale iat', header, { ...payload, iat: NOW - 301 }],
    ['an iat in the future', header, { ...payload, iat: NOW + 60 }],
    ['an ath without an access token', header, { ...payload, ath: 'abc' }],
  ]
  for (const [what, h, p] of refused) {
    test(`refuses ${what}`, () => {
      expect(dpopClaimsProblem(h, p, expect0)).toBeString()
    })
  }

  test('binds resource proofs to the access token (ath)', () => {
    const withToken = { ...expect0, accessToken: 'token-1' }
    expect(
      dpopClaimsProblem(header, { ...payload, ath: accessTokenHash('token-1') }, withToken),
    ).toBeUndefined()
    expect(dpopClaimsProblem(header, { ...payload, ath: accessTokenHash('token-2') }, withToken)).toBeString()
    expect(dpopClaimsProblem(header, payload, withToken)).toBeString()
  })

  test('compares htu without query, fragment, case of the host or a default port', () => {
    expect(normalizeHtu('https://PDS.Example.com:443/xrpc/a.b.c?x=1#f')).toBe(
      'https://pds.example.com/xrpc/a.b.c',
    )
    expect(normalizeHtu('http://localhost:8080/x')).toBe('http://localhost:8080/x')
    expect(normalizeHtu('ftp://x/y')).toBeUndefined()
  })
})

describe('PKCE', () => {
  test('matches the RFC 7636 example', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
    expect(s256Challenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
    expect(verifyPkce(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true)
  })

  test('refuses a wrong or malformed verifier', () => {
    const challenge = s256Challenge('a'.repeat(43))
    expect(verifyPkce('b'.repeat(43), challenge)).toBe(false)
    expect(verifyPkce('short', s256Challenge('short'))).toBe(false)
  })
})

describe('client ids and redirect URIs', () => {
  test('accepts https metadata URLs and the loopback development client', () => {
    expect(parseClientId('https://app.example.com/oauth-client-metadata.json').kind).toBe('discoverable')
    expect(parseClientId('http://localhost').kind).toBe('loopback')
    expect(parseClientId('http://localhost/?redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb').kind).toBe(
      'loopback',
    )
  })

  for (const bad of [
    'not a url',
    'http://app.example.com/meta.json',
    'https://app.example.com:8443/meta.json',
    'https://127.0.0.1/meta.json',
    'https://user:pw@app.example.com/meta.json',
    'https://app.example.com/meta.json#x',
    'http://localhost:8080',
    'http://localhost/path',
    'http://localhost?other=1',
    'http://localhost?redirect_uri=https%3A%2F%2Fevil.com%2F',
  ]) {
    test(`refuses the client_id ${bad}`, () => {
      expect(() => parseClientId(bad)).toThrow(OAuthError)
    })
  }

  test('builds the loopback virtual metadata with its defaults', () => {
    const meta = loopbackClientMetadata('http://localhost', new URL('http://localhost'))
    expect(meta.redirect_uris).toEqual(['http://127.0.0.1/', 'http://[::1]/'])
    expect(meta.scope).toBe('atproto')
    expect(meta.token_endpoint_auth_method).toBe('none')
  })

  const client = new URL('https://app.example.com/meta.json')
  const rules: Array<[string, 'web' | 'native', string | undefined]> = [
    ['https://app.example.com/cb', 'web', undefined],
    ['https://other.example.org/cb', 'web', undefined],
    ['http://app.example.com/cb', 'web', 'http'],
    ['com.example.app:/cb', 'web', 'https'],
    ['com.example.app:/cb', 'native', undefined],
    ['com.example.app://cb', 'native', 'scheme:/path'],
    ['org.evil.app:/cb', 'native', 'private-use scheme'],
    ['https://other.example.org/cb', 'native', 'origin'],
    ['http://127.0.0.1/cb', 'native', undefined],
    ['https://app.example.com/cb#frag', 'web', 'fragment'],
  ]
  for (const [uri, type, problem] of rules) {
    test(`${problem ? 'refuses' : 'accepts'} the ${type} redirect ${uri}`, () => {
      const found = redirectUriProblem(uri, type, client)
      if (problem === undefined) expect(found).toBeUndefined()
      else expect(found).toContain(problem)
    })
  }

  test('matches redirect URIs exactly, ignoring only loopback ports', () => {
    expect(redirectUriMatches(['https://a.com/cb'], 'https://a.com/cb')).toBe(true)
    expect(redirectUriMatches(['https://a.com/cb'], 'https://a.com/cb/')).toBe(false)
    expect(redirectUriMatches(['http://127.0.0.1/cb'], 'http://127.0.0.1:51234/cb')).toBe(true)
    expect(redirectUriMatches(['http://127.0.0.1/cb'], 'http://127.0.0.1:51234/other')).toBe(false)
    expect(redirectUriMatches(['http://127.0.0.1/cb'], 'http://[::1]:51234/cb')).toBe(false)
  })
})

const META = {
  client_id: 'https://app.example.com/meta.json',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['https://app.example.com/cb'],
  scope: 'atproto transition:generic repo:app.example.post',
  dpop_bound_access_tokens: true,
}

describe('client metadata', () => {
  test('accepts a public web client and defaults its type and auth method', () => {
    const meta = validateClientMetadata(META.client_id, META)
    expect(meta.application_type).toBe('web')
    expect(meta.token_endpoint_auth_method).toBe('none')
  })

  const invalid: Array<[string, object]> = [
    ['another client_id', { client_id: 'https://app.example.com/other.json' }],
    ['no authorization_code', { grant_types: ['refresh_token'] }],
    ['an implicit grant', { grant_types: ['authorization_code', 'implicit'] }],
    ['no code response type', { response_types: ['token'] }],
    ['no atproto scope', { scope: 'transition:generic' }],
    ['DPoP not bound', { dpop_bound_access_tokens: false }],
    ['no redirect URIs', { redirect_uris: [] }],
    ['an http redirect', { redirect_uris: ['http://app.example.com/cb'] }],
    ['private_key_jwt without keys', { token_endpoint_auth_method: 'private_key_jwt' }],
    [
      'both jwks and jwks_uri',
      {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{}] },
        jwks_uri: 'https://app.example.com/j',
      },
    ],
    [
      'an http jwks_uri',
      { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://app.example.com/j' },
    ],
    [
      'a signing alg of none',
      {
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'none',
        jwks: { keys: [{}] },
      },
    ],
    ['a client_uri on another host', { client_uri: 'https://elsewhere.example.org' }],
  ]
  for (const [what, change] of invalid) {
    test(`refuses metadata with ${what}`, () => {
      expect(() => validateClientMetadata(META.client_id, { ...META, ...change })).toThrow(OAuthError)
    })
  }
})

describe('authorization request parameters', () => {
  const meta = validateClientMetadata(META.client_id, META) as ClientMetadata
  const challenge = s256Challenge('v'.repeat(50))
  const base = {
    client_id: META.client_id,
    response_type: 'code',
    redirect_uri: 'https://app.example.com/cb',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st',
    scope: 'atproto repo:app.example.post',
  }
  const parse = (change: Record<string, string | undefined>) => {
    const form = new URLSearchParams()
    for (const [k, v] of Object.entries({ ...base, ...change })) if (v !== undefined) form.set(k, v)
    return parseAuthorizationRequest(form, meta)
  }

  test('accepts a complete request', () => {
    expect(parse({})).toMatchObject({
      scope: 'atproto repo:app.example.post',
      responseMode: 'query',
      state: 'st',
    })
  })

  const refused: Array<[string, Record<string, string | undefined>, string]> = [
    ['no PKCE challenge', { code_challenge: undefined }, 'invalid_request'],
    ['the plain PKCE method', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['no PKCE method', { code_challenge_method: undefined }, 'invalid_request'],
    [
      'an unregistered redirect_uri',
      { redirect_uri: 'https://app.example.com/elsewhere' },
      'invalid_request',
    ],
    ['no state', { state: undefined }, 'invalid_request'],
    ['a token response type', { response_type: 'token' }, 'unsupported_response_type'],
    ['no atproto scope', { scope: 'repo:app.example.post' }, 'invalid_scope'],
    ['an undeclared scope', { scope: 'atproto transition:email' }, 'invalid_scope'],
    ['form_post', { response_mode: 'form_post' }, 'invalid_request'],
    ['an unknown prompt', { prompt: 'select_account' }, 'invalid_request'],
    ['a request object', { request: 'eyJ...' }, 'invalid_request'],
  ]
  for (const [what, change, error] of refused) {
    test(`refuses ${what} as ${error}`, () => {
      try {
        parse(change)
        throw new Error('accepted')
      } catch (err) {
        expect((err as OAuthError).error).toBe(error as never)
      }
    })
  }
})
