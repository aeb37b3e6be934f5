// The SSRF-guarded fetch: address policy, pinning, redirects, deadline and body limit. Real
// traffic goes only to servers on 127.0.0.1; anything "public" goes through an injected fetch.
import { afterAll, describe, expect, test } from 'bun:test'
import {
  createSafeFetch,
  OutboundBlockedError,
  OutboundNetworkError,
  OutboundRedirectError,
  OutboundResponseTooLargeError,
  OutboundTimeoutError,
  type SafeFetchOptions,
} from '../../../src/services/outbound/index.ts'

const BASE: SafeFetchOptions = {
  allowPrivate: true,
  timeoutMs: 5000,
  maxBytes: 1024,
  userAgent: 'perlsky-test',
}

let hits = 0
const gzipBomb = Bun.gzipSync(new Uint8Array(1_000_000))
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    hits++
    const { pathname } = new URL(req.url)
    const echo = { host: req.headers.get('host'), ua: req.headers.get('user-agent'), method: req.method }
    switch (pathname) {
      case '/hang':
        return new Promise<Response>(() => {})
      case '/slow-body':
        return new Response(
          new ReadableStream({
            start: (c) => c.enqueue(new Uint8Array(8)),
            pull: () => new Promise(() => {}),
          }),
        )
      case '/big':
        return new Response('x'.repeat(2048))
      case '/big-stream':
        return new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(512)) }))
      case '/gzip-bomb':
        return new Response(gzipBomb, { headers: { 'content-encoding': 'gzip' } })
      case '/gzip-small':
        return new Response(Bun.gzipSync(new TextEncoder().encode('small')), {
          headers: { 'content-encoding': 'gzip' },
        })
      case '/redirect':
        return new Response(null, { status: 302, headers: { location: '/echo' } })
      case '/bad-redirect':
        return new Response(null, { status: 302, headers: { location: 'http://[::1' } })
      case '/loop':
        return new Response(null, { status: 307, headers: { location: '/loop' } })
      default:
        return Response.json(echo)
    }
  },
})
const origin = `http://127.0.0.1:${server.port}`
afterAll(() => server.stop(true))

describe('private addresses are refused when allowPrivate is off', () => {
  const guarded = createSafeFetch({ ...BASE, allowPrivate: false })
  const urls = [
    `${origin}/echo`,
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    `http://[::1]:${server.port}/`,
    'http://[fc00::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0x7f.1/',
    `http://localhost:${server.port}/echo`,
  ]
  for (const url of urls) {
    test(`refuses ${url} without sending anything`, async () => {
      const before = hits
      await expect(guarded(url)).rejects.toBeInstanceOf(OutboundBlockedError)
      expect(hits).toBe(before)
    })
  }

  test('refuses a host when any of its addresses is private', async () => {
    const fetchMock = () => Promise.reject(new Error('must not connect'))
    const mixed = createSafeFetch({
      ...BASE,
      allowPrivate: false,
      lookup: async () => ['8.8.8.8', '10.0.0.1'],
      fetch: fetchMock as never,
    })
    await expect(mixed('https://rebind.example.com/')).rejects.toBeInstanceOf(OutboundBlockedError)
  })

  for (const url of [
    'file:///etc/passwd',
    'ftp://example.com/',
    'http://user:pw@example.com/',
    'not a url',
  ]) {
    test(`refuses ${url}`, async () => {
      await expect(guarded(url)).rejects.toBeInstanceOf(OutboundBlockedError)
    })
  }
})

describe('allowed requests', () => {
  const safeFetch = createSafeFetch(BASE)

  test('reaches loopback when allowPrivate is on, with the user agent set', async () => {
    const res = await safeFetch(`${origin}/echo`)
    expect(await res.json()).toEqual({ host: `127.0.0.1:${server.port}`, ua: 'perlsky-test', method: 'GET' })
  })

  test('resolves a name and connects to its address with the original Host header', async () => {
    const pinned = createSafeFetch({ ...BASE, lookup: async () => ['127.0.0.1'] })
    const res = await pinned(`http://pinned.example:${server.port}/echo`)
    expect(((await res.json()) as { host: string }).host).toBe(`pinned.example:${server.port}`)
  })

  test('tries the next address when the first refuses the connection', async () => {
    const fallback = createSafeFetch({ ...BASE, lookup: async () => ['127.0.0.2', '127.0.0.1'] })
    expect((await fallback(`http://two.example:${server.port}/echo`)).status).toBe(200)
  })

  test('pins https requests to the checked address, keeping the name for TLS', async () => {
    const seen: { url: string; init: BunFetchRequestInit }[] = []
    const fetchMock = async (url: URL, init: BunFetchRequestInit) => {
      seen.push({ url: url.toString(), init })
      return new Response('ok')
    }
    const pinned = createSafeFetch({
      ...BASE,
      allowPrivate: false,
      lookup: async () => ['2606:4700::1'],
      fetch: fetchMock as never,
    })
    expect(await (await pinned('https://pds.example.com/xrpc/x?y=1')).text()).toBe('ok')
    expect(seen[0]?.url).toBe('https://[2606:4700::1]/xrpc/x?y=1')
    expect(seen[0]?.init.tls?.serverName).toBe('pds.example.com')
    expect(new Headers(seen[0]?.init.headers).get('host')).toBe('pds.example.com')
  })

  test('sends a body with the method', async () => {
    const res = await safeFetch(`${origin}/echo`, { method: 'post', body: '{}' })
    expect(((await res.json()) as { method: string }).method).toBe('POST')
  })
})

describe('redirects', () => {
  const safeFetch = createSafeFetch(BASE)

  test('follows a redirect', async () => {
    expect((await safeFetch(`${origin}/redirect`)).status).toBe(200)
  })

  test('returns the redirect itself in manual mode', async () => {
    const res = await safeFetch(`${origin}/redirect`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/echo')
  })

  test('throws in error mode', async () => {
    await expect(safeFetch(`${origin}/redirect`, { redirect: 'error' })).rejects.toBeInstanceOf(
      OutboundRedirectError,
    )
  })

  test('refuses a redirect to an unparsable URL', async () => {
    await expect(safeFetch(`${origin}/bad-redirect`)).rejects.toBeInstanceOf(OutboundRedirectError)
  })

  test('gives up after maxRedirects', async () => {
    await expect(safeFetch(`${origin}/loop`)).rejects.toBeInstanceOf(OutboundRedirectError)
  })

  test('does not follow redirects of a POST', async () => {
    expect((await safeFetch(`${origin}/redirect`, { method: 'POST', body: 'x' })).status).toBe(302)
  })

  test('re-checks every hop and drops credentials when leaving the origin', async () => {
    const seen: { url: string; auth: string | null }[] = []
    const fetchMock = async (url: URL, init: BunFetchRequestInit) => {
      seen.push({ url: url.toString(), auth: new Headers(init.headers).get('authorization') })
      const location = seen.length === 1 ? 'https://other.example.org/next' : 'http://127.0.0.1/admin'
      return new Response(null, { status: 302, headers: { location } })
    }
    const guarded = createSafeFetch({
      ...BASE,
      allowPrivate: false,
      lookup: async () => ['8.8.4.4'],
      fetch: fetchMock as never,
    })
    const request = guarded('https://first.example.com/', { headers: { authorization: 'Bearer secret' } })
    await expect(request).rejects.toBeInstanceOf(OutboundBlockedError)
    expect(seen).toEqual([
      { url: 'https://8.8.4.4/', auth: 'Bearer secret' },
      { url: 'https://8.8.4.4/next', auth: null },
    ])
  })
})

describe('deadline and body limit', () => {
  const safeFetch = createSafeFetch({ ...BASE, timeoutMs: 150 })

  test('times out waiting for the response', async () => {
    await expect(safeFetch(`${origin}/hang`)).rejects.toBeInstanceOf(OutboundTimeoutError)
  })

  test('times out reading a body that never ends', async () => {
    const res = await safeFetch(`${origin}/slow-body`)
    await expect(res.text()).rejects.toBeInstanceOf(OutboundTimeoutError)
  })

  test('refuses a declared length over the limit before reading', async () => {
    await expect(safeFetch(`${origin}/big`)).rejects.toBeInstanceOf(OutboundResponseTooLargeError)
  })

  test('stops reading a streamed body at the limit', async () => {
    const res = await createSafeFetch(BASE)(`${origin}/big-stream`)
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(OutboundResponseTooLargeError)
  })

  test('counts decompressed bytes, so a gzip bomb is cut off', async () => {
    const res = await createSafeFetch(BASE)(`${origin}/gzip-bomb`)
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(OutboundResponseTooLargeError)
  })

  test('a decompressed body no longer claims its wire encoding', async () => {
    const res = await createSafeFetch(BASE)(`${origin}/gzip-small`)
    expect(res.headers.get('content-encoding')).toBeNull()
    expect(await res.text()).toBe('small')
  })

  test('a per-request maxBytes overrides the instance limit', async () => {
    const request = createSafeFetch(BASE)(`${origin}/echo`, { maxBytes: 4 })
    await expect(request).rejects.toBeInstanceOf(OutboundResponseTooLargeError)
  })
})

describe('failures', () => {
  test('a refused connection is a network error', async () => {
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    const url = `http://127.0.0.1:${closed.port}/`
    closed.stop(true)
    await expect(createSafeFetch(BASE)(url)).rejects.toBeInstanceOf(OutboundNetworkError)
  })

  test('a failed lookup is a network error', async () => {
    const lookup = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
    await expect(createSafeFetch({ ...BASE, lookup })('https://nowhere.example/')).rejects.toBeInstanceOf(
      OutboundNetworkError,
    )
  })

  test("the caller's abort reason comes back as is", async () => {
    const controller = new AbortController()
    const reason = new Error('caller gave up')
    const pending = createSafeFetch(BASE)(`${origin}/hang`, { signal: controller.signal })
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
  })
})
