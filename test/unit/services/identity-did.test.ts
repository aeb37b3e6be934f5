// DID resolution: did:web over a local server, failure kinds, did:web URL rules, and the cache
// (with an injected clock and an in-memory directory behind an injected fetch).
import { afterAll, describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import {
  DidDocumentError,
  DidNotFoundError,
  DidResolutionError,
  DidResolver,
  didWebUrl,
  getHandle,
  UnsupportedDidError,
} from '../../../src/services/identity/index.ts'
import { createSafeFetch, type SafeFetch } from '../../../src/services/outbound/index.ts'
import { didDocFor } from '../../helpers/did-docs.ts'

const safeFetch = createSafeFetch({
  allowPrivate: true,
  timeoutMs: 5000,
  maxBytes: 65536,
  userAgent: 'perlsky-test',
})
const key = Secp256k1Keypair.create()

const docFor = (did: string, extra: Record<string, unknown> = {}) => didDocFor(did, key, extra)

describe('did:web', () => {
  let response: () => Response = () => new Response(null, { status: 404 })
  const web = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req): Response {
      const { pathname } = new URL(req.url)
      if (pathname === '/users/abc/did.json') return Response.json(docFor(`${did}:users:abc`))
      return pathname === '/.well-known/did.json' ? response() : new Response(null, { status: 404 })
    },
  })
  afterAll(() => web.stop(true))
  const did: string = `did:web:localhost%3A${web.port}`
  const resolver = () =>
    new DidResolver({ plcUrl: 'https://plc.invalid', fetch: safeFetch, allowLocalhostDidWeb: true })

  test('resolves a localhost did:web over http in development', async () => {
    response = () => Response.json(docFor(did))
    expect(await resolver().resolveAtprotoData(did)).toEqual({
      did,
      signingKey: key.did(),
      handle: 'alice.example.test',
      pds: 'https://pds.example.test',
    })
  })

  test('resolves a path-based did:web from <path>/did.json', async () => {
    expect((await resolver().resolve(`${did}:users:abc`))?.id).toBe(`${did}:users:abc`)
  })

  test('a 404 is "not found"; resolveAtprotoData turns it into DidNotFound', async () => {
    response = () => new Response('nope', { status: 404 })
    expect(await resolver().resolve(did)).toBeNull()
    await expect(resolver().resolveAtprotoData(did)).rejects.toBeInstanceOf(DidNotFoundError)
  })

  const failures: [string, () => Response, unknown][] = [
    ['a server error', () => new Response('oops', { status: 500 }), DidResolutionError],
    ['a body that is not JSON', () => new Response('<html>'), DidResolutionError],
    [
      'an oversized document',
      () => Response.json(docFor(did, { padding: 'x'.repeat(70_000) })),
      DidResolutionError,
    ],
    [
      'a redirect',
      () => new Response(null, { status: 302, headers: { location: '/other' } }),
      DidResolutionError,
    ],
    ['a document of another DID', () => Response.json(docFor('did:web:other.test')), DidDocumentError],
    ['a malformed document', () => Response.json({ id: did, verificationMethod: 'x' }), DidDocumentError],
  ]
  for (const [name, make, errorClass] of failures) {
    test(`${name} fails resolution`, async () => {
      response = make
      await expect(resolver().resolve(did)).rejects.toBeInstanceOf(errorClass as never)
    })
  }

  test('a document without a usable #atproto key fails resolveAtprotoData', async () => {
    response = () => Response.json(docFor(did, { verificationMethod: [] }))
    await expect(resolver().resolveAtprotoData(did)).rejects.toBeInstanceOf(DidDocumentError)
  })
})

describe('did:web URLs', () => {
  const ok: [string, boolean, string][] = [
    ['did:web:example.com', false, 'https://example.com/.well-known/did.json'],
    ['did:web:Example.COM', false, 'https://example.com/.well-known/did.json'],
    ['did:web:example.com:users:alice', false, 'https://example.com/users/alice/did.json'],
    ['did:web:localhost%3A2583', true, 'http://localhost:2583/.well-known/did.json'],
    ['did:web:localhost%3A2583:users:abc', true, 'http://localhost:2583/users/abc/did.json'],
    ['did:web:localhost', true, 'http://localhost/.well-known/did.json'],
  ]
  for (const [did, dev, url] of ok) {
    test(`${did}${dev ? ' (dev)' : ''} is fetched from ${url}`, () => {
      expect(didWebUrl(did, dev).toString()).toBe(url)
    })
  }
  const refused: [string, boolean][] = [
    ['did:web:example.com:..:admin', true],
    ['did:web:example.com:a%2Fb', true],
    ['did:web:example.com:a%3Fq', true],
    ['did:web:example.com::x', true],
    ['did:web:example.com%3A8080', true],
    ['did:web:localhost%3A2583', false],
    ['did:web:localhost%3Ahttp', true],
    ['did:web:printer.local', false],
    ['did:web:127.0.0.1', false],
    ['did:web:bad%ZZhost.com', false],
  ]
  for (const [did, dev] of refused) {
    test(`refuses ${did}${dev ? ' even in dev' : ''}`, () => {
      expect(() => didWebUrl(did, dev)).toThrow(UnsupportedDidError)
    })
  }

  test('resolve refuses other methods and bad syntax before fetching', async () => {
    const resolver = new DidResolver({
      plcUrl: 'https://plc.invalid',
      fetch: () => Promise.reject(new Error('no')),
    })
    for (const did of [key.did(), 'did:plc:tooshort', 'not-a-did', 'did:web:example.com%3A443']) {
      await expect(resolver.resolve(did)).rejects.toBeInstanceOf(UnsupportedDidError)
    }
  })
})

describe('cache', () => {
  const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
  const HOUR = 3_600_000

  /** An in-memory directory behind the fetch interface, counting requests. */
  function setup() {
    const docs = new Map<string, unknown>([[did, docFor(did)]])
    const state = { calls: 0, clock: 0 }
    const fetch: SafeFetch = async (url) => {
      state.calls++
      const doc = docs.get(decodeURIComponent(new URL(url).pathname.slice(1)))
      return doc === undefined ? new Response(null, { status: 404 }) : Response.json(doc)
    }
    const resolver = new DidResolver({ plcUrl: 'https://plc.test', fetch, now: () => state.clock })
    return { docs, state, resolver }
  }
  const handleOf = async (r: DidResolver) => getHandle((await r.resolve(did))!)

  test('serves a fresh entry from memory', async () => {
    const { state, resolver } = setup()
    await resolver.resolve(did)
    state.clock += HOUR
    await resolver.resolve(did)
    expect(state.calls).toBe(1)
  })

  test('serves a stale entry at once and refreshes it in the background', async () => {
    const { docs, state, resolver } = setup()
    await resolver.resolve(did)
    docs.set(did, docFor(did, { alsoKnownAs: ['at://renamed.test'] }))
    state.clock += 2 * HOUR
    expect(await handleOf(resolver)).toBe('alice.example.test')
    await resolver.settled()
    expect(state.calls).toBe(2)
    expect(await handleOf(resolver)).toBe('renamed.test')
    expect(state.calls).toBe(2)
  })

  test('refetches an expired entry before answering', async () => {
    const { docs, state, resolver } = setup()
    await resolver.resolve(did)
    docs.set(did, docFor(did, { alsoKnownAs: ['at://renamed.test'] }))
    state.clock += 25 * HOUR
    expect(await handleOf(resolver)).toBe('renamed.test')
  })

  test('forceRefresh and invalidate skip the cache', async () => {
    const { state, resolver } = setup()
    await resolver.resolve(did)
    await resolver.resolve(did, { forceRefresh: true })
    resolver.invalidate(did)
    await resolver.resolve(did)
    expect(state.calls).toBe(3)
  })

  test('a DID that disappears is dropped, and misses are not cached', async () => {
    const { docs, state, resolver } = setup()
    await resolver.resolve(did)
    docs.delete(did)
    expect(await resolver.resolve(did, { forceRefresh: true })).toBeNull()
    expect(await resolver.resolve(did)).toBeNull()
    docs.set(did, docFor(did))
    expect(await resolver.resolve(did)).not.toBeNull()
    expect(state.calls).toBe(4)
  })

  test('a failed background refresh keeps serving the stale entry', async () => {
    const { state, resolver, docs } = setup()
    await resolver.resolve(did)
    docs.set(did, { broken: true })
    state.clock += 2 * HOUR
    expect(await handleOf(resolver)).toBe('alice.example.test')
    await resolver.settled()
    expect(await handleOf(resolver)).toBe('alice.example.test')
  })

  test('holds at most maxEntries, dropping the least recently stored', async () => {
    const dids = ['a', 'b', 'c'].map((c) => `did:plc:${c.repeat(24)}`)
    let calls = 0
    const fetch: SafeFetch = async (url) => {
      calls++
      return Response.json(docFor(decodeURIComponent(new URL(url).pathname.slice(1))))
    }
    const resolver = new DidResolver({ plcUrl: 'https://plc.test', fetch, maxEntries: 2 })
    for (const d of dids) await resolver.resolve(d)
    await resolver.resolve(dids[2]!)
    await resolver.resolve(dids[1]!)
    expect(calls).toBe(3)
    await resolver.resolve(dids[0]!)
    expect(calls).toBe(4)
  })

  test('concurrent resolutions share one request', async () => {
    const { state, resolver } = setup()
    const docs = await Promise.all([resolver.resolve(did), resolver.resolve(did), resolver.resolve(did)])
    expect(state.calls).toBe(1)
    expect(docs[0]).toBe(docs[2]!)
  })
})
