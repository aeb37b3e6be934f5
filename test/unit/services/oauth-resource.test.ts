// OAuth on resource requests and per-method scopes: the DPoP-bound token check (key binding,
// nonces, WWW-Authenticate answers), requireScope and the method table; and confidential clients
// (private_key_jwt) with their key binding.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ScopeSet } from '../../../src/core/permissions/scope-set.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { JWT_BEARER } from '../../../src/services/oauth/client-auth.ts'
import { checkMethodScope, hasScope, requireScope } from '../../../src/services/oauth/index.ts'
import {
  clientAssertion,
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

const CLIENT_ID = 'https://secure.example.com/client.json'
const REDIRECT = 'https://secure.example.com/cb'
const ORIGIN = { proto: 'https', host: 'pds.test' }
const XRPC = 'https://pds.test/xrpc/com.atproto.server.getSession'

let env: OAuthTestEnv
let clientKey: TestKey

beforeAll(async () => {
  env = await oauthTestEnv('oauth-resource')
  clientKey = await newKey('client-key-1')
  env.documents.set(CLIENT_ID, {
    client_id: CLIENT_ID,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT],
    scope: 'atproto transition:generic',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [clientKey.jwk] },
    dpop_bound_access_tokens: true,
  })
})
afterAll(() => env.close())

async function proof(key: TestKey, path: string) {
  const url = `${ISSUER}${path}`
  return { proof: await dpopProof(key, { htu: url, nonce: env.oauth.dpopNonce() }), method: 'POST', url }
}

async function withAssertion(form: Record<string, string>, key = clientKey): Promise<URLSearchParams> {
  return new URLSearchParams({
    ...form,
    client_id: CLIENT_ID,
    client_assertion_type: JWT_BEARER,
    client_assertion: await clientAssertion(key, CLIENT_ID),
  })
}

/** A confidential client's full flow; returns the tokens and the session's DPoP key. */
async function confidentialTokens() {
  const dpop = await newKey()
  const { verifier, challenge } = pkcePair()
  const par = await env.oauth.pushAuthorizationRequest(
    await withAssertion({
      response_type: 'code',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's',
      scope: 'atproto transition:generic',
    }),
    await proof(dpop, '/oauth/par'),
  )
  const login = await env.oauth.interaction.login(CLIENT_ID, par.request_uri, {
    identifier: 'bob',
    password: PASSWORD,
    ip: '127.0.0.1',
    cookie: undefined,
  })
  // After the first approval the client is remembered: a confidential client signs in silently.
  const answer =
    login.interaction.kind === 'redirect'
      ? login.interaction
      : await env.oauth.interaction.decide(CLIENT_ID, par.request_uri, login.session!.cookie, true)
  if (answer.kind !== 'redirect') throw new Error('no redirect')
  const code = new URL(answer.url).searchParams.get('code')!
  const form = await withAssertion({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  })
  return {
    tokens: await env.oauth.token(form, await proof(dpop, '/oauth/token')),
    dpop,
    cookie: login.session!.cookie,
  }
}

async function resource(token: string, key: TestKey, nonce: string | null = env.oauth.dpopNonce()) {
  const dpop = await dpopProof(key, { htu: XRPC, htm: 'GET', nonce: nonce ?? undefined, accessToken: token })
  const request = new Request('http://127.0.0.1:9/xrpc/com.atproto.server.getSession', {
    headers: { authorization: `DPoP ${token}`, dpop },
  })
  return env.oauth.verifyOAuthAccess(request, ORIGIN)
}

describe('confidential clients', () => {
  test('complete the flow with private_key_jwt and may refresh with the same key', async () => {
    const { tokens, dpop } = await confidentialTokens()
    expect(tokens.sub).toBe('did:plc:bobxxxxxxxxxxxxxxxxxxxxx')
    const form = await withAssertion({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })
    expect((await env.oauth.token(form, await proof(dpop, '/oauth/token'))).access_token).toBeString()
  })

  test('must authenticate: no assertion, a replayed one, or one from an unknown key is refused', async () => {
    const dpop = await newKey()
    const bare = new URLSearchParams({
      client_id: CLIENT_ID,
      grant_type: 'refresh_token',
      refresh_token: 'x',
    })
    expect((await refusal(async () => env.oauth.token(bare, await proof(dpop, '/oauth/token')))).error).toBe(
      'invalid_client',
    )
    const once = await withAssertion({ grant_type: 'refresh_token', refresh_token: 'unknown' })
    expect((await refusal(async () => env.oauth.token(once, await proof(dpop, '/oauth/token')))).error).toBe(
      'invalid_grant',
    )
    expect(
      (await refusal(async () => env.oauth.token(once, await proof(dpop, '/oauth/token')))).description,
    ).toContain('replayed')
    const stranger = await withAssertion(
      { grant_type: 'refresh_token', refresh_token: 'x' },
      await newKey('client-key-1'),
    )
    expect(
      (await refusal(async () => env.oauth.token(stranger, await proof(dpop, '/oauth/token')))).error,
    ).toBe('invalid_client')
  })

  test('a public client may not send an assertion', async () => {
    env.documents.set('https://public.example.com/c.json', {
      client_id: 'https://public.example.com/c.json',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://public.example.com/cb'],
      scope: 'atproto',
      dpop_bound_access_tokens: true,
    })
    const form = new URLSearchParams({
      client_id: 'https://public.example.com/c.json',
      client_assertion_type: JWT_BEARER,
      client_assertion: await clientAssertion(clientKey, 'https://public.example.com/c.json'),
    })
    expect(
      (await refusal(async () => env.oauth.token(form, await proof(await newKey(), '/oauth/token')))).error,
    ).toBe('invalid_client')
  })
})

describe('resource requests', () => {
  test('accept the token with a proof by its own key', async () => {
    const { tokens, dpop } = await confidentialTokens()
    const access = await resource(tokens.access_token, dpop)
    expect(access).toMatchObject({ did: 'did:plc:bobxxxxxxxxxxxxxxxxxxxxx', clientId: CLIENT_ID })
    expect(
      access?.scopes.allows({ resource: 'repo', collection: 'app.bsky.feed.post', action: 'create' }),
    ).toBe(true)
  })

  test('refuse a proof by another key (key mismatch) with invalid_token', async () => {
    const { tokens } = await confidentialTokens()
    const err = await resource(tokens.access_token, await newKey()).catch((e) => e)
    expect(err).toBeInstanceOf(XrpcError)
    expect(err.status).toBe(401)
    expect(err.headers['WWW-Authenticate']).toStartWith('DPoP ')
    expect(err.headers['WWW-Authenticate']).toContain('error="invalid_token"')
  })

  test('ask for a nonce with 401 use_dpop_nonce and a DPoP-Nonce header', async () => {
    const { tokens, dpop } = await confidentialTokens()
    const err = await resource(tokens.access_token, dpop, null).catch((e) => e)
    expect(err.status).toBe(401)
    expect(err.headers['WWW-Authenticate']).toContain('error="use_dpop_nonce"')
    expect(err.headers['DPoP-Nonce']).toBe(env.oauth.dpopNonce())
  })

  test('leave other authorization schemes to the other verifiers', async () => {
    const request = new Request(XRPC, { headers: { authorization: 'Bearer abc' } })
    expect(await env.oauth.verifyOAuthAccess(request, ORIGIN)).toBeNull()
  })

  test('stop working once the user revokes the app on the account page', async () => {
    const { tokens, dpop } = await confidentialTokens()
    const did = 'did:plc:bobxxxxxxxxxxxxxxxxxxxxx'
    expect(env.oauth.apps.list(did).map((a) => a.clientId)).toContain(CLIENT_ID)
    expect(env.oauth.apps.revoke(did, CLIENT_ID)).toBeGreaterThan(0)
    const err = await resource(tokens.access_token, dpop).catch((e) => e)
    expect(err.headers['WWW-Authenticate']).toContain('error="invalid_token"')
  })
})

describe('scopes per method', () => {
  const access = (scope: string) => ({
    did: 'did:plc:x',
    clientId: 'https://a.example/c.json',
    tokenId: 't',
    scopes: ScopeSet.parse(scope),
  })
  const call = (nsid: string, extra: { params?: Record<string, unknown>; contentType?: string } = {}) => ({
    nsid,
    params: extra.params ?? {},
    request: new Request('https://pds.test/xrpc/x', {
      headers: extra.contentType ? { 'content-type': extra.contentType } : {},
    }),
    appviewAudience: 'did:web:api.bsky.app#bsky_appview',
  })
  const forbidden = (run: () => void): string => {
    try {
      run()
    } catch (err) {
      expect((err as XrpcError).status).toBe(403)
      return (err as XrpcError).message
    }
    throw new Error('allowed')
  }

  test('names the missing scope in the 403', () => {
    const message = forbidden(() =>
      requireScope(
        { oauth: access('atproto') },
        { resource: 'repo', collection: 'app.bsky.feed.post', action: 'create' },
      ),
    )
    expect(message).toContain('repo:app.bsky.feed.post?action=create')
  })

  test('lets password sessions through and answers optional checks', () => {
    requireScope({}, { resource: 'identity', attr: '*' })
    expect(
      hasScope(
        { oauth: access('atproto transition:email') },
        { resource: 'account', attr: 'email', action: 'read' },
      ),
    ).toBe(true)
    expect(
      hasScope({ oauth: access('atproto') }, { resource: 'account', attr: 'email', action: 'read' }),
    ).toBe(false)
  })

  test('checks uploads against blob scopes by Content-Type', () => {
    checkMethodScope(
      access('atproto blob:image/*'),
      call('com.atproto.repo.uploadBlob', { contentType: 'image/png' }),
    )
    forbidden(() =>
      checkMethodScope(
        access('atproto blob:image/*'),
        call('com.atproto.repo.uploadBlob', { contentType: 'video/mp4' }),
      ),
    )
  })

  test('checks service-auth requests against rpc scopes', () => {
    const params = { aud: 'did:web:api.bsky.app', lxm: 'app.bsky.feed.getTimeline' }
    checkMethodScope(
      access('atproto transition:generic'),
      call('com.atproto.server.getServiceAuth', { params }),
    )
    checkMethodScope(
      access('atproto rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview'),
      call('com.atproto.server.getServiceAuth', { params }),
    )
    forbidden(() =>
      checkMethodScope(access('atproto'), call('com.atproto.server.getServiceAuth', { params })),
    )
  })

  test('refuses account management and unknown methods to every OAuth token', () => {
    const all = access('atproto transition:generic transition:email identity:* account:email?action=manage')
    for (const nsid of [
      'com.atproto.server.createAppPassword',
      'com.atproto.server.deleteAccount',
      'com.example.unknown',
    ]) {
      expect(forbidden(() => checkMethodScope(all, call(nsid)))).toContain('not available to OAuth apps')
    }
    checkMethodScope(all, call('com.atproto.identity.updateHandle'))
    forbidden(() =>
      checkMethodScope(access('atproto transition:generic'), call('com.atproto.identity.updateHandle')),
    )
  })

  test('leaves repo writes to the handler and still demands atproto', () => {
    checkMethodScope(access('atproto'), call('com.atproto.repo.createRecord'))
    forbidden(() => checkMethodScope(access('transition:generic'), call('com.atproto.repo.createRecord')))
  })
})
