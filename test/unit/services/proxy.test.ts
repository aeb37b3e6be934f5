// The service proxy's parts in isolation: header parsing, target choice, the upstream call
// (retries, deadlines, limits), header filtering, body reading, the counters, OAuth permissions.
import { describe, expect, test } from 'bun:test'
import { brotliCompressSync, deflateSync } from 'node:zlib'
import { Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import { ScopeSet } from '../../../src/core/permissions/scope-set.ts'
import { silentLogger } from '../../../src/lib/logger.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { decodeContent, readUpTo } from '../../../src/services/proxy/body.ts'
import { acceptEncoding, clientResponseHeaders } from '../../../src/services/proxy/headers.ts'
import {
  ProxyService,
  ProxyStats,
  parseProxyHeader,
  UpstreamTimeoutError,
} from '../../../src/services/proxy/index.ts'
import { TargetResolver } from '../../../src/services/proxy/target.ts'
import { UpstreamClient } from '../../../src/services/proxy/upstream.ts'
import type { LocalRecordStore } from '../../../src/storage/proxy/local-records.ts'

const SERVICES = {
  appview: { url: 'https://appview.example', did: 'did:web:appview.example' },
  chat: { url: 'https://chat.example', did: 'did:web:chat.example' },
  report: { url: 'https://mod.example', did: 'did:plc:moderation' },
}
const noDids = {
  resolve: async (): Promise<null> => {
    throw new Error('no DID lookup expected')
  },
}

async function thrown(promise: Promise<unknown>): Promise<XrpcError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof XrpcError) return err
    throw err
  }
  throw new Error('expected an XrpcError')
}

describe('parseProxyHeader', () => {
  test('splits the DID from the service id', () => {
    expect(parseProxyHeader('did:web:api.bsky.app#bsky_appview')).toEqual({
      did: 'did:web:api.bsky.app',
      serviceId: 'bsky_appview',
    })
  })

  test.each([
    ['did:web:x.com', 'no service id specified in proxy header'],
    ['did:web:x.com#', 'no service id specified in proxy header'],
    ['#svc', 'no did specified in proxy header'],
    ['did:web:x.com#a#b', 'invalid proxy header format'],
    ['did:web:x.com#a b', 'proxy header cannot contain spaces'],
    ['web:x.com#svc', 'invalid did in proxy header'],
  ])('refuses %p', (header, message) => {
    expect(() => parseProxyHeader(header)).toThrow(message)
  })
})

describe('TargetResolver', () => {
  const targets = new TargetResolver({ services: SERVICES, dids: noDids, selfDid: 'did:web:pds.example' })

  test.each([
    ['app.bsky.feed.getTimeline', 'appview'],
    ['chat.bsky.convo.listConvos', 'chat'],
    ['com.atproto.moderation.createReport', 'report'],
    ['com.example.thing.do', undefined],
    ['com.atproto.temp.checkSignupQueue', undefined],
  ])('sends %s to %p by default', (nsid, name) => {
    expect(targets.byNsid(nsid)?.name).toBe(name)
  })

  test('default targets take the bare DID as token audience', () => {
    expect(targets.byNsid('app.bsky.feed.getTimeline')).toMatchObject({
      aud: 'did:web:appview.example',
      serviceRef: 'did:web:appview.example#bsky_appview',
      trusted: true,
    })
  })

  test('a header naming a configured service goes to its URL without a DID lookup', async () => {
    expect(await targets.fromHeader('did:web:chat.example#bsky_chat')).toMatchObject({
      url: 'https://chat.example',
      aud: 'did:web:chat.example#bsky_chat',
      trusted: true,
    })
  })

  test('a header naming this server is refused', async () => {
    const err = await thrown(targets.fromHeader('did:web:pds.example#atproto_pds'))
    expect(err.status).toBe(400)
  })

  test('other services come from their DID document and are not trusted', async () => {
    const doc = {
      id: 'did:web:svc.example',
      service: [{ id: '#thing', type: 'Thing', serviceEndpoint: 'https://svc.example/base' }],
    }
    const resolver = new TargetResolver({
      services: SERVICES,
      dids: { resolve: async () => doc },
      selfDid: 'did:web:pds.example',
    })
    expect(await resolver.fromHeader('did:web:svc.example#thing')).toMatchObject({
      url: 'https://svc.example/base',
      aud: 'did:web:svc.example#thing',
      trusted: false,
    })
    expect((await thrown(resolver.fromHeader('did:web:svc.example#other'))).message).toBe(
      'could not resolve proxy did service url',
    )
  })
})

describe('UpstreamClient', () => {
  const target = { ...SERVICES.appview, aud: 'x', serviceRef: 'x#y', trusted: true, name: 'appview' }
  const refused = () => Object.assign(new TypeError('Unable to connect'), { code: 'ECONNREFUSED' })
  const guardedFetch = async (): Promise<Response> => {
    throw new Error('not used')
  }

  function client(fetchImpl: (url: URL, init: RequestInit) => Promise<Response>, timeoutMs = 5000) {
    return new UpstreamClient({ timeoutMs, bodyLimit: 10, guardedFetch, fetch: fetchImpl as typeof fetch })
  }
  const request = (method: string, body: ReadableStream<Uint8Array> | null = null) => ({
    target,
    path: '/xrpc/app.bsky.feed.getTimeline?limit=1',
    method,
    headers: new Headers(),
    body,
  })

  test('retries a GET once when the connection failed', async () => {
    let calls = 0
    const upstream = client(async (url) => {
      calls++
      if (calls === 1) throw refused()
      return new Response(url.toString())
    })
    const res = await upstream.send(request('GET'))
    expect(await res.text()).toBe('https://appview.example/xrpc/app.bsky.feed.getTimeline?limit=1')
    expect(calls).toBe(2)
  })

  test('does not retry a POST, and reports 502', async () => {
    let calls = 0
    const upstream = client(async () => {
      calls++
      throw refused()
    })
    const err = await thrown(upstream.send(request('POST', new Blob(['{}']).stream())))
    expect(err).toMatchObject({ status: 502, error: 'UpstreamFailure' })
    expect(calls).toBe(1)
  })

  test('a deadline is 504 UpstreamTimeout and is not retried', async () => {
    let calls = 0
    const upstream = client((_, init) => {
      calls++
      return new Promise((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )
    }, 20)
    expect(await thrown(upstream.send(request('GET')))).toBeInstanceOf(UpstreamTimeoutError)
    expect(calls).toBe(1)
  })

  test('a request body over the limit is 413', async () => {
    const upstream = client(async (_, init) => new Response(await new Response(init.body).text()))
    const err = await thrown(upstream.send(request('POST', new Blob(['x'.repeat(11)]).stream())))
    expect(err.status).toBe(413)
  })
})

describe('headers', () => {
  test.each([
    [null, 'identity'],
    ['gzip, deflate, br, zstd', 'gzip, deflate, br'],
    ['zstd', 'identity'],
    ['br;q=1.0, gzip;q=0.5, *;q=0.1', 'br;q=1.0, gzip;q=0.5'],
  ])('Accept-Encoding %p is forwarded as %p', (header, expected) => {
    expect(acceptEncoding(header)).toBe(expected)
  })

  test('only the headers clients need come back', () => {
    const upstream = new Headers({
      'content-type': 'application/json',
      'atproto-repo-rev': '3k',
      'set-cookie': 'a=b',
      'www-authenticate': 'Bearer',
      server: 'nginx',
    })
    expect(Object.fromEntries(clientResponseHeaders(upstream))).toEqual({
      'content-type': 'application/json',
      'atproto-repo-rev': '3k',
    })
  })
})

describe('body', () => {
  const text = JSON.stringify({ feed: 'x'.repeat(2000) })
  const bytes = new TextEncoder().encode(text)

  test('reads a body that fits', async () => {
    const read = await readUpTo(new Blob([bytes]).stream(), bytes.length)
    expect(read.complete && new TextDecoder().decode(read.bytes)).toBe(text)
  })

  test('hands on a body that does not fit, nothing lost', async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.subarray(i, i + 100))
        controller.close()
      },
    })
    const read = await readUpTo(chunks, 250)
    expect(read.complete).toBe(false)
    if (!read.complete) expect(await new Response(read.stream).text()).toBe(text)
  })

  test.each([
    ['gzip', Bun.gzipSync(bytes)],
    ['deflate', deflateSync(bytes)],
    ['br', brotliCompressSync(bytes)],
    [null, bytes],
  ])('decodes %p', (coding, encoded) => {
    expect(new TextDecoder().decode(decodeContent(encoded, coding, 1 << 20))).toBe(text)
  })

  test('refuses unknown codings and bodies that decode past the limit', () => {
    expect(decodeContent(bytes, 'zstd', 1 << 20)).toBeUndefined()
    expect(decodeContent(Bun.gzipSync(bytes), 'gzip', 100)).toBeUndefined()
  })
})

describe('ProxyStats', () => {
  test('counts calls per method, upstream and status', () => {
    const stats = new ProxyStats()
    stats.record({ method: 'a.b.c', upstream: 'appview', status: 200, durationMs: 5 })
    stats.record({ method: 'a.b.c', upstream: 'appview', status: 200, durationMs: 15 })
    stats.record({ method: 'a.b.c', upstream: 'appview', status: 502, durationMs: 1 })
    expect(stats.snapshot()).toEqual([
      { method: 'a.b.c', upstream: 'appview', status: 200, count: 2, totalMs: 20, maxMs: 15 },
      { method: 'a.b.c', upstream: 'appview', status: 502, count: 1, totalMs: 1, maxMs: 1 },
    ])
  })

  test('past the series cap, new combinations are counted as other', () => {
    const stats = new ProxyStats(2)
    for (const method of ['a.a.a', 'b.b.b', 'c.c.c', 'd.d.d']) {
      stats.record({ method, upstream: 'x', status: 200, durationMs: 1 })
    }
    expect(stats.snapshot().map((e) => [e.method, e.count])).toEqual([
      ['a.a.a', 1],
      ['b.b.b', 1],
      ['other', 2],
    ])
  })
})

describe('ProxyService policy', () => {
  const key = Secp256k1Keypair.create()
  const seen: Headers[] = []
  const service = new ProxyService({
    services: SERVICES,
    baseUrl: 'https://pds.example',
    selfDid: 'did:web:pds.example',
    timeoutMs: 1000,
    bodyLimit: 1000,
    userAgent: 'test',
    dids: noDids,
    guardedFetch: async () => new Response('guarded'),
    signingKey: () => key,
    handle: () => 'alice.test',
    repoRev: () => undefined,
    store: {} as LocalRecordStore,
    logger: silentLogger(),
    fetch: (async (_url: URL, init: RequestInit) => {
      seen.push(new Headers(init.headers))
      return Response.json({ ok: true })
    }) as typeof fetch,
  })
  const call = (nsid: string, auth: Parameters<ProxyService['forward']>[0]['auth']) =>
    service.forward({ nsid, verb: 'GET', search: '', headers: new Headers(), body: null, auth })
  const oauth = (scope: string) => ({
    did: 'did:plc:alice',
    scope: 'access' as const,
    sessionId: 's',
    oauth: { did: 'did:plc:alice', scopes: ScopeSet.parse(scope), clientId: 'c', tokenId: 't' },
  })

  test('account-management methods are never proxied', async () => {
    const err = await thrown(call('com.atproto.server.createAppPassword', null))
    expect(err).toMatchObject({ status: 400, error: 'InvalidToken' })
  })

  test('an OAuth token reaches the methods its rpc permissions name, at that service', async () => {
    const auth = oauth('atproto rpc:app.bsky.feed.getTimeline?aud=did:web:appview.example%23bsky_appview')
    expect((await call('app.bsky.feed.getTimeline', auth)).status).toBe(200)
    const err = await thrown(call('app.bsky.feed.getPosts', auth))
    expect(err).toMatchObject({ status: 403, error: 'InsufficientScope' })
  })

  test('chat needs transition:chat.bsky for OAuth apps on transition scopes', async () => {
    const err = await thrown(call('chat.bsky.convo.listConvos', oauth('atproto transition:generic')))
    expect(err.status).toBe(403)
    const ok = await call(
      'chat.bsky.convo.listConvos',
      oauth('atproto transition:generic transition:chat.bsky'),
    )
    expect(ok.status).toBe(200)
    expect(seen.at(-1)?.get('authorization')).toStartWith('Bearer ')
  })
})
