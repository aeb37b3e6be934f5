// The service proxy over HTTP: calls the PDS does not serve itself reach a fake AppView, chat
// service, moderation service or a service named in an atproto-proxy header, each of which
// checks our service-auth token against the account's DID document (test/fakes/appview.ts).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { type FakeService, startFakeService } from '../fakes/appview.ts'
import { failure, type SignedUp, signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
let appview: FakeService
let chat: FakeService
let mod: FakeService
let third: FakeService
let dead: FakeService
let alice: SignedUp
/** Answers held back by the timeout test, released at the end so the fakes can stop. */
const held: (() => void)[] = []

beforeAll(async () => {
  appview = await startFakeService({
    services: { bsky_appview: 'BskyAppView', bsky_notif: 'BskyNotificationService' },
  })
  chat = await startFakeService({ services: { bsky_chat: 'BskyChatService' } })
  mod = await startFakeService({ services: { atproto_labeler: 'AtprotoLabeler' } })
  third = await startFakeService({ services: { my_service: 'MyService' } })
  dead = await startFakeService({ services: { gone: 'Gone' }, endpoint: 'http://127.0.0.1:1' })
  h = await startHarness({
    config: {
      bsky_appview_url: appview.url,
      bsky_appview_did: appview.did,
      chat_service_url: chat.url,
      chat_service_did: chat.did,
      report_service_url: mod.url,
      report_service_did: mod.did,
      proxy_timeout_ms: 300,
    },
  })
  alice = await signUp(h, 'alice')
})

afterAll(async () => {
  for (const release of held) release()
  await h.stop()
  await Promise.all([appview, chat, mod, third, dead].map((s) => s.stop()))
})

function lastCall(service: FakeService, nsid: string) {
  const call = service.calls.findLast((c) => c.nsid === nsid)
  if (call === undefined) throw new Error(`${nsid} never reached the service`)
  return call
}

async function xrpc(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`)
  return fetch(`${h.url}/xrpc/${path}`, { ...init, headers })
}

describe('@atproto/api through the PDS', () => {
  test('getProfile answers with the AppView view, asked with a token signed by the account', async () => {
    appview.on('app.bsky.actor.getProfile', (call) =>
      Response.json({ did: call.query.get('actor'), handle: 'alice.test', displayName: 'From the AppView' }),
    )
    const { data } = await alice.agent.app.bsky.actor.getProfile({ actor: alice.did })
    expect(data).toMatchObject({ did: alice.did, displayName: 'From the AppView' })
    const call = lastCall(appview, 'app.bsky.actor.getProfile')
    expect(call.jwt).toMatchObject({ iss: alice.did, aud: appview.did, lxm: 'app.bsky.actor.getProfile' })
    expect(call.jwt!.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60)
    expect(call.headers.get('authorization')).not.toContain(alice.agent.session!.accessJwt)
  })

  test('getTimeline answers with the AppView timeline', async () => {
    appview.on('app.bsky.feed.getTimeline', () => Response.json({ feed: [], cursor: 'next-page' }))
    const { data } = await alice.agent.app.bsky.feed.getTimeline({ limit: 5 })
    expect(data).toEqual({ feed: [], cursor: 'next-page' })
    expect(lastCall(appview, 'app.bsky.feed.getTimeline').query.get('limit')).toBe('5')
  })

  test('chat goes to the service named by withProxy, the token addressed to that service', async () => {
    chat.on('chat.bsky.convo.listConvos', () => Response.json({ convos: [] }))
    const { data } = await alice.agent
      .withProxy('bsky_chat', chat.did as `did:${string}`)
      .chat.bsky.convo.listConvos()
    expect(data).toEqual({ convos: [] })
    const call = lastCall(chat, 'chat.bsky.convo.listConvos')
    expect(call.jwt).toMatchObject({ iss: alice.did, aud: `${chat.did}#bsky_chat` })
  })

  test('a chat message body reaches the chat service as sent', async () => {
    const message = { convoId: 'c1', message: { text: 'hello there' } }
    chat.on('chat.bsky.convo.sendMessage', (call) =>
      Response.json({
        id: 'm1',
        rev: 'r1',
        text: JSON.parse(call.body).message.text,
        sender: { did: alice.did },
        sentAt: new Date().toISOString(),
      }),
    )
    const proxied = alice.agent.withProxy('bsky_chat', chat.did as `did:${string}`)
    const { data } = await proxied.chat.bsky.convo.sendMessage(message)
    expect(data.text).toBe('hello there')
    const call = lastCall(chat, 'chat.bsky.convo.sendMessage')
    expect(JSON.parse(call.body)).toEqual(message)
    expect(call.headers.get('content-type')).toContain('application/json')
  })
})

describe('forwarding', () => {
  test('forwards the language and labeler headers and copies back what clients read', async () => {
    appview.on('app.bsky.feed.getPosts', (call) =>
      Response.json(
        {
          posts: [],
          seen: {
            lang: call.headers.get('accept-language'),
            labelers: call.headers.get('atproto-accept-labelers'),
          },
        },
        {
          headers: {
            'content-language': 'de',
            'atproto-content-labelers': 'did:plc:labeler',
            'atproto-repo-rev': '3kabc',
            'cache-control': 'max-age=30',
            'set-cookie': 'tracking=1',
          },
        },
      ),
    )
    const res = await xrpc('app.bsky.feed.getPosts?uris=at%3A%2F%2Fdid%3Aplc%3Ax%2Fapp.bsky.feed.post%2F1', {
      token: alice.agent.session!.accessJwt,
      headers: { 'accept-language': 'de, en;q=0.5', 'atproto-accept-labelers': 'did:plc:labeler;redact' },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      seen: { lang: 'de, en;q=0.5', labelers: 'did:plc:labeler;redact' },
    })
    expect(res.headers.get('content-language')).toBe('de')
    expect(res.headers.get('atproto-content-labelers')).toBe('did:plc:labeler')
    expect(res.headers.get('atproto-repo-rev')).toBe('3kabc')
    expect(res.headers.get('cache-control')).toBe('max-age=30')
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  test('passes a compressed answer through as compressed bytes', async () => {
    const big = { feed: [], filler: 'x'.repeat(5000) }
    appview.on(
      'app.bsky.feed.getActorFeeds',
      () =>
        new Response(Bun.gzipSync(JSON.stringify(big)), {
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        }),
    )
    const res = await xrpc('app.bsky.feed.getActorFeeds?actor=alice.test', {
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(big)
    expect(lastCall(appview, 'app.bsky.feed.getActorFeeds').headers.get('accept-encoding')).toBe('gzip')
  })

  test('an anonymous call reaches the AppView without a token', async () => {
    const res = await xrpc('app.bsky.actor.searchActors?q=bob')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      nsid: 'app.bsky.actor.searchActors',
      query: { q: 'bob' },
      jwt: null,
    })
  })

  test.each([
    [400, { error: 'NotFound', message: 'Profile not found' }, 400],
    [401, { error: 'AuthMissing', message: 'no' }, 401],
    [429, { error: 'RateLimitExceeded', message: 'slow down' }, 429],
    [500, { error: 'InternalServerError', message: 'boom' }, 502],
  ])('passes an upstream %i error on with its body', async (status, body, expected) => {
    appview.on('app.bsky.graph.getFollows', () =>
      Response.json(body, { status, headers: { 'retry-after': '7' } }),
    )
    const res = await xrpc('app.bsky.graph.getFollows?actor=alice.test', {
      token: alice.agent.session!.accessJwt,
    })
    expect(res.status).toBe(expected)
    expect(await res.json()).toEqual(body)
    expect(res.headers.get('retry-after')).toBe('7')
  })

  test('a service that cannot be reached is 502 UpstreamFailure', async () => {
    const res = await xrpc('com.example.dead.ping', {
      token: alice.agent.session!.accessJwt,
      headers: { 'atproto-proxy': `${dead.did}#gone` },
    })
    expect(res.status).toBe(502)
    expect(await res.json()).toMatchObject({ error: 'UpstreamFailure' })
  })

  test('a service that does not answer in time is 504 UpstreamTimeout', async () => {
    appview.on(
      'app.bsky.feed.getSuggestedFeeds',
      () => new Promise<Response>((resolve) => held.push(() => resolve(new Response('too late')))),
    )
    const res = await xrpc('app.bsky.feed.getSuggestedFeeds', { token: alice.agent.session!.accessJwt })
    expect(res.status).toBe(504)
    expect(await res.json()).toMatchObject({ error: 'UpstreamTimeout' })
  })
})

describe('routing', () => {
  test('an atproto-proxy header sends any method to the service its DID document names', async () => {
    const res = await xrpc('com.example.custom.doThing?x=1', {
      token: alice.agent.session!.accessJwt,
      headers: { 'atproto-proxy': `${third.did}#my_service` },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ nsid: 'com.example.custom.doThing', query: { x: '1' } })
    expect(lastCall(third, 'com.example.custom.doThing').jwt).toMatchObject({
      iss: alice.did,
      aud: `${third.did}#my_service`,
      lxm: 'com.example.custom.doThing',
    })
  })

  test('a service named by the client is only reached for a signed-in account', async () => {
    const res = await xrpc('com.example.custom.doThing', {
      headers: { 'atproto-proxy': `${third.did}#my_service` },
    })
    expect(res.status).toBe(401)
  })

  test.each([
    ['no service id', 'did:web:example.com', 'no service id specified in proxy header'],
    ['no DID', '#bsky_appview', 'no did specified in proxy header'],
    ['two fragments', 'did:web:example.com#a#b', 'invalid proxy header format'],
    ['a bad DID', 'nope#svc', 'invalid did in proxy header'],
  ])('a header with %s is 400', async (_, header, message) => {
    const res = await xrpc('app.bsky.feed.getTimeline', {
      token: alice.agent.session!.accessJwt,
      headers: { 'atproto-proxy': header },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'InvalidRequest', message })
  })

  test('a header naming a service the DID document lacks is 400', async () => {
    const res = await xrpc('app.bsky.feed.getTimeline', {
      token: alice.agent.session!.accessJwt,
      headers: { 'atproto-proxy': `${third.did}#not_there` },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: 'InvalidRequest',
      message: 'could not resolve proxy did service url',
    })
  })

  test('locally served methods stay local, whatever the header says', async () => {
    const res = await xrpc('com.atproto.server.describeServer', {
      headers: { 'atproto-proxy': `${third.did}#my_service` },
    })
    expect(res.status).toBe(200)
    expect(third.calls.some((c) => c.nsid === 'com.atproto.server.describeServer')).toBe(false)
  })

  test('an unknown NSID outside app.bsky and chat.bsky is still 501', async () => {
    const res = await xrpc('com.example.nothing.here', { token: alice.agent.session!.accessJwt })
    expect(res.status).toBe(501)
    expect(await res.json()).toMatchObject({ error: 'MethodNotImplemented' })
  })

  test('createReport goes to the moderation service', async () => {
    const subject = { $type: 'com.atproto.admin.defs#repoRef', did: 'did:plc:abc' }
    mod.on('com.atproto.moderation.createReport', (call) =>
      Response.json({
        id: 1,
        reasonType: 'com.atproto.moderation.defs#reasonSpam',
        subject,
        reportedBy: call.jwt!.iss,
        createdAt: new Date().toISOString(),
      }),
    )
    const { data } = await alice.agent.com.atproto.moderation.createReport({
      reasonType: 'com.atproto.moderation.defs#reasonSpam',
      subject,
    })
    expect(data.reportedBy).toBe(alice.did)
    expect(lastCall(mod, 'com.atproto.moderation.createReport').jwt).toMatchObject({ aud: mod.did })
  })

  test('registerPush goes to the service named in the body, addressed to its DID', async () => {
    appview.on('app.bsky.notification.registerPush', () => new Response(null, { status: 200 }))
    const input = {
      serviceDid: appview.did,
      token: 'push-token',
      platform: 'ios' as const,
      appId: 'xyz.blueskyweb.app',
    }
    await alice.agent.app.bsky.notification.registerPush(input)
    const call = lastCall(appview, 'app.bsky.notification.registerPush')
    expect(JSON.parse(call.body)).toEqual(input)
    expect(call.jwt).toMatchObject({
      iss: alice.did,
      aud: appview.did,
      lxm: 'app.bsky.notification.registerPush',
    })
  })

  test('getFeed carries a token for the feed generator, to be handed on by the AppView', async () => {
    const feed = 'at://did:plc:feedowner/app.bsky.feed.generator/cats'
    appview.on('com.atproto.repo.getRecord', () =>
      Response.json({ uri: feed, value: { did: 'did:web:feeds.example.com', displayName: 'Cats' } }),
    )
    appview.expectToken('app.bsky.feed.getFeed', {
      aud: 'did:web:feeds.example.com',
      lxm: 'app.bsky.feed.getFeedSkeleton',
    })
    appview.on('app.bsky.feed.getFeed', () => Response.json({ feed: [] }))
    const { data } = await alice.agent.app.bsky.feed.getFeed({ feed })
    expect(data.feed).toEqual([])
    expect(lastCall(appview, 'app.bsky.feed.getFeed').jwt).toMatchObject({ aud: 'did:web:feeds.example.com' })
  })
})

describe('app passwords', () => {
  async function appPasswordAgent(name: string, privileged: boolean): Promise<AtpAgent> {
    const { data } = await alice.agent.com.atproto.server.createAppPassword({ name, privileged })
    const agent = new AtpAgent({ service: h.url })
    await agent.login({ identifier: alice.handle, password: data.password })
    return agent
  }

  test('an app password cannot reach chat', async () => {
    const agent = await appPasswordAgent('plain', false)
    const f = await failure(
      agent.withProxy('bsky_chat', chat.did as `did:${string}`).chat.bsky.convo.listConvos(),
    )
    expect(f).toMatchObject({ status: 400, error: 'InvalidToken', message: 'Bad token method' })
  })

  test('a privileged app password can', async () => {
    const agent = await appPasswordAgent('privileged', true)
    const { data } = await agent
      .withProxy('bsky_chat', chat.did as `did:${string}`)
      .chat.bsky.convo.listConvos()
    expect(data).toEqual({ convos: [] })
  })

  test('an app password still reaches the AppView', async () => {
    const agent = await appPasswordAgent('reader', false)
    const { data } = await agent.app.bsky.feed.getTimeline()
    expect(data.cursor).toBe('next-page')
  })
})
