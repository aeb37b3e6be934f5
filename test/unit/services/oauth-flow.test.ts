// The authorization server end to end at the service level: PAR, sign-in, consent, code
// exchange, refresh, revocation and resource access, with each refusal the specs require.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { XrpcError } from '../../../src/services/errors.ts'
import { REQUEST_URI_PREFIX } from '../../../src/services/oauth/par.ts'
import {
  dpopProof,
  ISSUER,
  newKey,
  type OAuthTestEnv,
  oauthTestEnv,
  PASSWORD,
  pkcePair,
  refusal,
  type TestKey,
} from '../../helpers/oauth.ts'

const CLIENT_ID = 'https://app.example.com/oauth-client-metadata.json'
const REDIRECT = 'https://app.example.com/callback'
const METADATA = {
  client_id: CLIENT_ID,
  client_name: 'Example',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REDIRECT],
  scope: 'atproto transition:generic repo:app.example.post',
  dpop_bound_access_tokens: true,
}

let env: OAuthTestEnv

beforeAll(async () => {
  env = await oauthTestEnv('oauth-flow')
  env.documents.set(CLIENT_ID, METADATA)
})
afterAll(() => env.close())

const nowSeconds = () => Math.floor(env.clock.now / 1000)

/** A DPoP-proved request to an endpoint; fetches a nonce first, as clients do. */
async function proof(key: TestKey, path: string, extra: { accessToken?: string; htm?: string } = {}) {
  const url = `${ISSUER}${path}`
  const nonce = env.oauth.dpopNonce()
  return {
    proof: await dpopProof(key, { htu: url, nonce, iat: nowSeconds(), ...extra }),
    method: extra.htm ?? 'POST',
    url,
  }
}

function parForm(challenge: string, change: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-1',
    scope: 'atproto repo:app.example.post',
    ...change,
  })
}

/** PAR → sign-in → consent; returns the code from the redirect. */
async function authorize(key: TestKey, challenge: string, formChange: Record<string, string> = {}) {
  const par = await env.oauth.pushAuthorizationRequest(
    parForm(challenge, formChange),
    await proof(key, '/oauth/par'),
  )
  const login = await env.oauth.interaction.login(CLIENT_ID, par.request_uri, {
    identifier: 'alice',
    password: PASSWORD,
    ip: '127.0.0.1',
    cookie: undefined,
  })
  expect(login.interaction.kind).toBe('consent')
  const answer = await env.oauth.interaction.decide(CLIENT_ID, par.request_uri, login.session!.cookie, true)
  if (answer.kind !== 'redirect') throw new Error(`expected a redirect, got ${answer.kind}`)
  const url = new URL(answer.url)
  return {
    code: url.searchParams.get('code')!,
    url,
    cookie: login.session!.cookie,
    requestUri: par.request_uri,
  }
}

async function exchange(key: TestKey, code: string, verifier: string) {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  })
  return env.oauth.token(form, await proof(key, '/oauth/token'))
}

function resourceRequest(token: string, dpop: string, path = '/xrpc/com.atproto.server.getSession'): Request {
  return new Request(`http://127.0.0.1:1234${path}`, { headers: { authorization: `DPoP ${token}`, dpop } })
}

const ORIGIN = { proto: 'https', host: 'pds.test' }

describe('pushed authorization requests', () => {
  test('demands a server nonce first (use_dpop_nonce with a DPoP-Nonce header)', async () => {
    const key = await newKey()
    const noNonce = await dpopProof(key, { htu: `${ISSUER}/oauth/par` })
    const err = await refusal(() =>
      env.oauth.pushAuthorizationRequest(parForm(pkcePair().challenge), {
        proof: noNonce,
        method: 'POST',
        url: `${ISSUER}/oauth/par`,
      }),
    )
    expect(err.error).toBe('use_dpop_nonce')
    expect(err.headers['DPoP-Nonce']).toBe(env.oauth.dpopNonce())
  })

  test('refuses a request without a DPoP proof', async () => {
    const err = await refusal(() =>
      env.oauth.pushAuthorizationRequest(parForm(pkcePair().challenge), {
        proof: null,
        method: 'POST',
        url: `${ISSUER}/oauth/par`,
      }),
    )
    expect(err.error).toBe('invalid_dpop_proof')
  })

  test('returns a request_uri that expires in minutes', async () => {
    const key = await newKey()
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge),
      await proof(key, '/oauth/par'),
    )
    expect(par.request_uri.startsWith(REQUEST_URI_PREFIX)).toBe(true)
    expect(par.expires_in).toBeLessThanOrEqual(600)
  })

  test('refuses an unknown client', async () => {
    const key = await newKey()
    const form = parForm(pkcePair().challenge, { client_id: 'https://nowhere.example.com/meta.json' })
    expect(
      (await refusal(async () => env.oauth.pushAuthorizationRequest(form, await proof(key, '/oauth/par'))))
        .error,
    ).toBe('invalid_client')
  })

  test('refuses a redirect_uri the client did not register', async () => {
    const key = await newKey()
    const form = parForm(pkcePair().challenge, { redirect_uri: 'https://app.example.com/elsewhere' })
    const err = await refusal(async () =>
      env.oauth.pushAuthorizationRequest(form, await proof(key, '/oauth/par')),
    )
    expect(err.error).toBe('invalid_request')
    expect(err.description).toContain('redirect_uri')
  })

  test('refuses a reused PKCE challenge', async () => {
    const key = await newKey()
    const { challenge } = pkcePair()
    await env.oauth.pushAuthorizationRequest(parForm(challenge), await proof(key, '/oauth/par'))
    const err = await refusal(async () =>
      env.oauth.pushAuthorizationRequest(parForm(challenge), await proof(key, '/oauth/par')),
    )
    expect(err.description).toContain('code_challenge')
  })

  test('shows an expired request as a page, not a redirect', async () => {
    const key = await newKey()
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge),
      await proof(key, '/oauth/par'),
    )
    env.clock.now += 6 * 60_000
    try {
      await expect(env.oauth.interaction.view(CLIENT_ID, par.request_uri, undefined)).rejects.toThrow(
        'expired',
      )
    } finally {
      env.clock.now -= 6 * 60_000
    }
  })
})

describe('sign-in and consent', () => {
  test('refuses a wrong password and an app password alike, and keeps the form', async () => {
    const key = await newKey()
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge),
      await proof(key, '/oauth/par'),
    )
    const attempt = { identifier: 'alice@example.com', password: 'wrong', ip: '10.0.0.1', cookie: undefined }
    const result = await env.oauth.interaction.login(CLIENT_ID, par.request_uri, attempt)
    expect(result.session).toBeUndefined()
    expect(result.interaction).toMatchObject({ kind: 'login', problem: 'Wrong handle, email or password.' })
  })

  test('denying redirects with access_denied, the state and the issuer', async () => {
    const key = await newKey()
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge),
      await proof(key, '/oauth/par'),
    )
    const login = await env.oauth.interaction.login(CLIENT_ID, par.request_uri, {
      identifier: 'alice.pds.test',
      password: PASSWORD,
      ip: '127.0.0.1',
      cookie: undefined,
    })
    const answer = await env.oauth.interaction.decide(
      CLIENT_ID,
      par.request_uri,
      login.session!.cookie,
      false,
    )
    if (answer.kind !== 'redirect') throw new Error('no redirect')
    const url = new URL(answer.url)
    expect(url.origin + url.pathname).toBe(REDIRECT)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      error: 'access_denied',
      state: 'state-1',
      iss: ISSUER,
    })
  })

  test('prompt=login asks for the password again in a signed-in browser', async () => {
    const key = await newKey()
    const first = await authorize(key, pkcePair().challenge)
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge, { prompt: 'login' }),
      await proof(key, '/oauth/par'),
    )
    expect((await env.oauth.interaction.view(CLIENT_ID, par.request_uri, first.cookie)).kind).toBe('login')
    env.clock.now += 1000
    const again = await env.oauth.interaction.login(CLIENT_ID, par.request_uri, {
      identifier: 'alice',
      password: PASSWORD,
      ip: '127.0.0.1',
      cookie: first.cookie,
    })
    expect(again.interaction.kind).toBe('consent')
    expect((await env.oauth.interaction.view(CLIENT_ID, par.request_uri, again.session!.cookie)).kind).toBe(
      'consent',
    )
    const plain = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge),
      await proof(key, '/oauth/par'),
    )
    expect((await env.oauth.interaction.view(CLIENT_ID, plain.request_uri, again.session!.cookie)).kind).toBe(
      'consent',
    )
  })

  test('prompt=none answers login_required instead of showing a page', async () => {
    const key = await newKey()
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge, { prompt: 'none' }),
      await proof(key, '/oauth/par'),
    )
    const answer = await env.oauth.interaction.view(CLIENT_ID, par.request_uri, undefined)
    expect(answer.kind === 'redirect' && new URL(answer.url).searchParams.get('error')).toBe('login_required')
  })

  test('a login_hint for another account refuses a different sign-in', async () => {
    const key = await newKey()
    const par = await env.oauth.pushAuthorizationRequest(
      parForm(pkcePair().challenge, { login_hint: 'bob.pds.test' }),
      await proof(key, '/oauth/par'),
    )
    const result = await env.oauth.interaction.login(CLIENT_ID, par.request_uri, {
      identifier: 'alice',
      password: PASSWORD,
      ip: '127.0.0.1',
      cookie: undefined,
    })
    expect(result.interaction).toMatchObject({
      kind: 'login',
      problem: 'This app asked to sign in as bob.pds.test.',
    })
  })
})

describe('tokens', () => {
  test('exchanges a code for DPoP-bound tokens naming the account', async () => {
    const key = await newKey()
    const { verifier, challenge } = pkcePair()
    const { code, url } = await authorize(key, challenge)
    expect(url.searchParams.get('iss')).toBe(ISSUER)
    const tokens = await exchange(key, code, verifier)
    expect(tokens).toMatchObject({
      token_type: 'DPoP',
      sub: 'did:plc:alicexxxxxxxxxxxxxxxxxxx',
      scope: 'atproto repo:app.example.post',
    })
    expect(tokens.expires_in).toBe(env.config.oauth_access_token_lifetime_seconds)
    expect(tokens.refresh_token).toStartWith('ref-')
  })

  test('refuses a wrong PKCE verifier', async () => {
    const key = await newKey()
    const { code } = await authorize(key, pkcePair().challenge)
    const err = await refusal(() => exchange(key, code, pkcePair().verifier))
    expect(err.error).toBe('invalid_grant')
    expect(err.description).toContain('PKCE')
  })

  test('refuses a code exchanged with another DPoP key', async () => {
    const key = await newKey()
    const { verifier, challenge } = pkcePair()
    const { code } = await authorize(key, challenge)
    const err = await refusal(async () => exchange(await newKey(), code, verifier))
    expect(err.description).toContain('DPoP key')
  })

  test('a reused code fails and revokes the session it created', async () => {
    const key = await newKey()
    const { verifier, challenge } = pkcePair()
    const { code } = await authorize(key, challenge)
    const tokens = await exchange(key, code, verifier)
    expect((await refusal(() => exchange(key, code, verifier))).description).toContain('already used')
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: tokens.refresh_token!,
    })
    expect((await refusal(async () => env.oauth.token(form, await proof(key, '/oauth/token')))).error).toBe(
      'invalid_grant',
    )
  })

  test('rotates refresh tokens, and a replayed one revokes the session', async () => {
    const key = await newKey()
    const { verifier, challenge } = pkcePair()
    const first = await exchange(key, (await authorize(key, challenge)).code, verifier)
    const refresh = (token: string) =>
      env.oauth.token(
        new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token }),
        { proof: null, method: 'POST', url: '' },
      )
    const withProof = async (token: string) =>
      env.oauth.token(
        new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token }),
        await proof(key, '/oauth/token'),
      )
    expect((await refusal(() => refresh(first.refresh_token!))).error).toBe('invalid_dpop_proof')
    const second = await withProof(first.refresh_token!)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect((await refusal(() => withProof(first.refresh_token!))).description).toContain('already used')
    expect((await refusal(() => withProof(second.refresh_token!))).error).toBe('invalid_grant')
  })

  test('revocation ends the session for access and refresh tokens alike', async () => {
    const key = await newKey()
    const { verifier, challenge } = pkcePair()
    const tokens = await exchange(key, (await authorize(key, challenge)).code, verifier)
    const dpop = await dpopProof(key, {
      htu: 'https://pds.test/xrpc/com.atproto.server.getSession',
      htm: 'GET',
      nonce: env.oauth.dpopNonce(),
      accessToken: tokens.access_token,
    })
    const access = await env.oauth.verifyOAuthAccess(resourceRequest(tokens.access_token, dpop), ORIGIN)
    expect(access).toMatchObject({ did: 'did:plc:alicexxxxxxxxxxxxxxxxxxx', clientId: CLIENT_ID })
    await env.oauth.revoke(new URLSearchParams({ token: tokens.access_token, client_id: CLIENT_ID }), {
      proof: null,
      method: 'POST',
      url: '',
    })
    const again = await dpopProof(key, {
      htu: 'https://pds.test/xrpc/com.atproto.server.getSession',
      htm: 'GET',
      nonce: env.oauth.dpopNonce(),
      accessToken: tokens.access_token,
    })
    const err = await env.oauth
      .verifyOAuthAccess(resourceRequest(tokens.access_token, again), ORIGIN)
      .catch((e) => e)
    expect(err).toBeInstanceOf(XrpcError)
    expect((err as XrpcError).status).toBe(401)
    expect((err as XrpcError).headers?.['WWW-Authenticate']).toContain('error="invalid_token"')
  })
})
