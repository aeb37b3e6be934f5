// The official @atproto/oauth-client-node completes the whole OAuth flow against the real server
// on 127.0.0.1: discovery, PAR with DPoP, a headless Chromium filling the sign-in and consent
// pages, the callback and code exchange, XRPC calls inside and outside the granted scopes, a
// refresh and the revocation. Screenshots of both pages land in test-artifacts/.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { NodeOAuthClient, type NodeSavedSession, type NodeSavedState } from '@atproto/oauth-client-node'
import { type BrowserContext, chromium } from 'playwright-core'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { oauthFor } from '../../src/services/oauth/index.ts'
import { type FakePlc, startFakePlc } from '../fakes/plc-server.ts'
import { type Harness, startHarness } from './harness.ts'

const CHROMIUM = '/usr/bin/chromium'
// Debian's chromium drives the login pages. CI installs it and must run this file; on a developer
// machine without it the file is skipped with a note (apt-get install chromium to run it).
const RUN = existsSync(CHROMIUM) || process.env.CI === 'true'
if (!RUN) console.warn(`skipping the OAuth browser flow: ${CHROMIUM} is not installed`)
const ARTIFACTS = resolve(import.meta.dir, '../../test-artifacts')
const PASSWORD = 'correct horse battery staple'
const SCOPE = 'atproto repo:app.bsky.feed.post blob:image/*'

let h: Harness
let plc: FakePlc
let did: `did:plc:${string}`
let callbackServer: ReturnType<typeof Bun.serve>
let browser: BrowserContext
let profileDir: string
const callbacks: URL[] = []

function memoryStore<V>() {
  const map = new Map<string, V>()
  return {
    get: async (key: string) => map.get(key),
    set: async (key: string, value: V) => void map.set(key, value),
    del: async (key: string) => void map.delete(key),
  }
}

function newClient(): NodeOAuthClient {
  const redirect = `http://127.0.0.1:${callbackServer.port}/callback`
  const clientId = `http://localhost?${new URLSearchParams({ redirect_uri: redirect, scope: SCOPE })}`
  return new NodeOAuthClient({
    clientMetadata: {
      client_id: clientId,
      redirect_uris: [redirect],
      scope: SCOPE,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      dpop_bound_access_tokens: true,
    },
    stateStore: memoryStore<NodeSavedState>(),
    sessionStore: memoryStore<NodeSavedSession>(),
    // The account's DID is on the fake PLC directory; the server is http://localhost:<port>.
    plcDirectoryUrl: plc.url,
    allowHttp: true,
    // The default resolver needs Node's undici; the flow starts from the server URL anyway.
    handleResolver: h.baseUrl,
    requestLock: (_name, fn) => fn(),
  })
}

beforeAll(async () => {
  if (!RUN) return
  plc = await startFakePlc()
  const rotationKey = Buffer.from(Secp256k1Keypair.create().exportPrivateKey()).toString('hex')
  h = await startHarness({
    config: { account_did_method: 'did:plc', plc_url: plc.url, plc_rotation_private_key_hex: rotationKey },
  })
  const res = await fetch(`${h.url}/xrpc/com.atproto.server.createAccount`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle: 'alice.test', email: 'alice@example.com', password: PASSWORD }),
  })
  did = ((await res.json()) as { did: `did:plc:${string}` }).did
  callbackServer = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      const url = new URL(req.url)
      if (url.pathname !== '/callback') return new Response(null, { status: 404 })
      callbacks.push(url)
      return new Response('<!doctype html><title>Signed in</title><p>You can close this window.</p>', {
        headers: { 'content-type': 'text/html' },
      })
    },
  })
  profileDir = mkdtempSync(join(tmpdir(), 'perlsky-chromium-'))
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 480, height: 900 },
  })
  mkdirSync(ARTIFACTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  callbackServer?.stop(true)
  await h?.stop()
  await plc?.stop()
  if (profileDir) rmSync(profileDir, { recursive: true, force: true })
})

/** The stored (hashed) refresh tokens: they change when the client refreshes. */
function refreshHashes(): string[] {
  return h.ctx.db
    .prepare<{ h: string }, []>('SELECT refresh_hash AS h FROM oauth_token')
    .all()
    .map((r) => r.h)
}

/**
 * Opens the authorization URL, signs in unless the browser already is, approves; returns the
 * callback's query.
 */
async function signInWithBrowser(authorizeUrl: URL, screenshots: boolean): Promise<URLSearchParams> {
  const page = await browser.newPage()
  try {
    await page.goto(authorizeUrl.href)
    if ((await page.getByRole('heading', { name: 'Sign in' }).count()) > 0) {
      await page.getByLabel('Handle or email').fill('alice.test')
      await page.getByLabel('Password').fill(PASSWORD)
      if (screenshots) await page.screenshot({ path: join(ARTIFACTS, 'oauth-login.png'), fullPage: true })
      await page.getByRole('button', { name: 'Sign in' }).click()
    }
    await page.getByRole('heading', { name: /to use your account/ }).waitFor()
    if (screenshots) await page.screenshot({ path: join(ARTIFACTS, 'oauth-consent.png'), fullPage: true })
    const seen = callbacks.length
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(/\/callback\?/)
    expect(callbacks.length).toBe(seen + 1)
    return callbacks.at(-1)!.searchParams
  } finally {
    await page.close()
  }
}

describe.skipIf(!RUN)('@atproto/oauth-client-node against perlsky', () => {
  test('signs in, calls XRPC within its scopes, refreshes and revokes', async () => {
    const client = newClient()
    const authorizeUrl = await client.authorize(h.baseUrl, { scope: SCOPE })
    expect(authorizeUrl.origin).toBe(h.baseUrl)
    const params = await signInWithBrowser(authorizeUrl, true)
    expect(params.get('iss')).toBe(h.baseUrl)
    const { session } = await client.callback(params)
    expect(session.did).toBe(did)
    expect((await session.getTokenInfo()).scope).toBe(SCOPE)

    const post = await session.fetchHandler('/xrpc/com.atproto.repo.createRecord', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        repo: did,
        collection: 'app.bsky.feed.post',
        record: {
          $type: 'app.bsky.feed.post',
          text: 'hello over OAuth',
          createdAt: new Date().toISOString(),
        },
      }),
    })
    expect(post.status).toBe(200)
    expect(post.headers.get('dpop-nonce')).toBeString()

    const follow = await session.fetchHandler('/xrpc/com.atproto.repo.createRecord', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        repo: did,
        collection: 'app.bsky.graph.follow',
        record: { $type: 'app.bsky.graph.follow', subject: did, createdAt: new Date().toISOString() },
      }),
    })
    expect(follow.status).toBe(403)
    expect(((await follow.json()) as { message: string }).message).toContain('repo:app.bsky.graph.follow')

    const image = await session.fetchHandler('/xrpc/com.atproto.repo.uploadBlob', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    })
    expect(image.status).toBe(200)

    const video = await session.fetchHandler('/xrpc/com.atproto.repo.uploadBlob', {
      method: 'POST',
      headers: { 'content-type': 'video/mp4' },
      body: new Uint8Array(16),
    })
    expect(video.status).toBe(403)
    expect(((await video.json()) as { message: string }).message).toContain('blob:video/mp4')

    const appPassword = await session.fetchHandler('/xrpc/com.atproto.server.createAppPassword', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    })
    expect(appPassword.status).toBe(403)

    const before = refreshHashes()
    await session.getTokenInfo(true)
    expect(refreshHashes()).not.toEqual(before)
    const me = await session.fetchHandler('/xrpc/com.atproto.server.getSession')
    expect(me.status).toBe(200)
    const view = (await me.json()) as { did: string; email?: string }
    expect(view.did).toBe(did)
    expect(view.email).toBeUndefined() // no account:email scope was granted

    expect(oauthFor(h.ctx).apps.list(did)).toHaveLength(1)
    await session.signOut()
    expect(oauthFor(h.ctx).apps.list(did)).toHaveLength(0)
  }, 60_000)

  test('lists the authorized app on the account page and revokes it there', async () => {
    const client = newClient()
    const { session } = await client.callback(
      await signInWithBrowser(await client.authorize(h.baseUrl), false),
    )
    expect((await session.fetchHandler('/xrpc/com.atproto.server.getSession')).status).toBe(200)
    const page = await browser.newPage()
    try {
      await page.goto(`${h.baseUrl}/account`)
      await page.getByRole('heading', { name: 'Apps you have authorized' }).waitFor()
      await page.screenshot({ path: join(ARTIFACTS, 'oauth-account.png'), fullPage: true })
      await page.getByRole('button', { name: /^Revoke access for/ }).click()
      await page.getByText('Access revoked.').waitFor()
      expect(await page.getByText('No app has access to your account.').count()).toBe(1)
    } finally {
      await page.close()
    }
    expect(oauthFor(h.ctx).apps.list(did)).toHaveLength(0)
    const after = await session.fetchHandler('/xrpc/com.atproto.server.getSession')
    expect(after.status).toBe(401)
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"')
  }, 60_000)
})
