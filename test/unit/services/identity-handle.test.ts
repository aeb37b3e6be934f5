// Handle resolution (injected DNS, a well-known server on 127.0.0.1) and bi-directional identity.
import { afterAll, describe, expect, test } from 'bun:test'
import { InvalidRequestError } from '../../../src/services/errors.ts'
import {
  DidNotFoundError,
  DidResolver,
  didFromTxtRecords,
  HandleResolver,
  type HandleResolverOptions,
  IdentityResolver,
} from '../../../src/services/identity/index.ts'
import { createSafeFetch, type SafeFetch } from '../../../src/services/outbound/index.ts'

const ALICE = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const BOB = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'

/** What https://<handle>/.well-known/atproto-did answers, by handle. */
const wellKnown = new Map<string, () => Response>()
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    const handle = (req.headers.get('host') ?? '').split(':')[0] ?? ''
    const answer = wellKnown.get(handle)
    if (new URL(req.url).pathname !== '/.well-known/atproto-did' || !answer)
      return new Response(null, { status: 404 })
    return answer()
  },
})
afterAll(() => server.stop(true))

/** Every name resolves to 127.0.0.1, and https://<handle>/ is served by the local server over http. */
const pinnedToLocal = createSafeFetch({
  allowPrivate: true,
  timeoutMs: 5000,
  maxBytes: 65536,
  userAgent: 'perlsky-test',
  lookup: async () => ['127.0.0.1'],
})
const localFetch: SafeFetch = (url, init) => {
  const local = new URL(url)
  expect(local.protocol).toBe('https:')
  local.protocol = 'http:'
  local.port = String(server.port)
  return pinnedToLocal(local, init)
}

/** DNS TXT records by name; a name that is absent fails like NXDOMAIN. */
function dns(records: Record<string, string[][]>, log: string[] = []) {
  return async (name: string) => {
    log.push(name)
    const found = records[name]
    if (found === undefined)
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
    return found
  }
}

function resolverWith(records: Record<string, string[][]>, extra: Partial<HandleResolverOptions> = {}) {
  const log: string[] = []
  const resolver = new HandleResolver({ fetch: localFetch, resolveTxt: dns(records, log), ...extra })
  return { resolver, log }
}

describe('DNS TXT records', () => {
  const cases: [string, string[][], string | undefined][] = [
    ['one record', [[`did=${ALICE}`]], ALICE],
    ['a record split in chunks', [['did=did:plc:', 'aaaaaaaaaaaaaaaaaaaaaaaa']], ALICE],
    [
      'unrelated records beside it',
      [['v=spf1 -all'], [`did=${ALICE}`], ['google-site-verification=x']],
      ALICE,
    ],
    ['the same DID twice', [[`did=${ALICE}`], [`did=${ALICE}`]], ALICE],
    ['two different DIDs', [[`did=${ALICE}`], [`did=${BOB}`]], undefined],
    ['no did= record', [['v=spf1 -all']], undefined],
    ['a value that is not a DID', [['did=alice']], undefined],
    ['a prefix in the wrong case', [[`DID=${ALICE}`]], undefined],
  ]
  for (const [name, records, expected] of cases) {
    test(`${name} → ${expected ?? 'nothing'}`, () => {
      expect(didFromTxtRecords(records)).toBe(expected)
    })
  }
})

describe('HandleResolver', () => {
  test('resolves through DNS, querying the lower-cased _atproto name', async () => {
    const { resolver, log } = resolverWith({ '_atproto.alice.example.test': [[`did=${ALICE}`]] })
    expect(await resolver.resolve('Alice.Example.Test')).toBe(ALICE)
    expect(log).toEqual(['_atproto.alice.example.test'])
  })

  test('falls back to the well-known document, trimming whitespace', async () => {
    wellKnown.set(
      'web.example.test',
      () => new Response(`  ${BOB}\n`, { headers: { 'content-type': 'text/plain' } }),
    )
    const { resolver } = resolverWith({})
    expect(await resolver.resolve('web.example.test')).toBe(BOB)
  })

  test('prefers DNS when the two methods disagree', async () => {
    wellKnown.set('both.example.test', () => new Response(BOB))
    const { resolver } = resolverWith({ '_atproto.both.example.test': [[`did=${ALICE}`]] })
    expect(await resolver.resolve('both.example.test')).toBe(ALICE)
  })

  test('uses the well-known document when DNS does not answer in time', async () => {
    wellKnown.set('slowdns.example.test', () => new Response(BOB))
    const resolver = new HandleResolver({
      fetch: localFetch,
      resolveTxt: () => new Promise(() => {}),
      timeoutMs: 100,
    })
    expect(await resolver.resolve('slowdns.example.test')).toBe(BOB)
  })

  const badWellKnown: [string, () => Response][] = [
    ['a 404', () => new Response(ALICE, { status: 404 })],
    ['a server error', () => new Response(ALICE, { status: 500 })],
    ['a body that is not a DID', () => new Response('<html>hello</html>')],
    ['two lines', () => new Response(`${ALICE}\n${BOB}`)],
    ['an oversized body', () => new Response(`${ALICE}${' '.repeat(5000)}`)],
  ]
  for (const [name, answer] of badWellKnown) {
    test(`a well-known answer with ${name} resolves to nothing`, async () => {
      wellKnown.set('bad.example.test', answer)
      const { resolver } = resolverWith({})
      expect(await resolver.resolve('bad.example.test')).toBeUndefined()
    })
  }

  for (const handle of [
    'not a handle',
    'alice',
    'laptop.local',
    'alice.localhost',
    'handle.invalid',
    'x.onion',
  ]) {
    test(`"${handle}" resolves to nothing without any lookup`, async () => {
      const { resolver, log } = resolverWith({ [`_atproto.${handle}`]: [[`did=${ALICE}`]] })
      expect(await resolver.resolve(handle)).toBeUndefined()
      expect(log).toEqual([])
    })
  }

  test('caches what it found; forceRefresh looks again; misses are not cached', async () => {
    const records: Record<string, string[][]> = { '_atproto.cached.example.test': [[`did=${ALICE}`]] }
    const { resolver, log } = resolverWith(records)
    await resolver.resolve('cached.example.test')
    await resolver.resolve('cached.example.test')
    expect(log.length).toBe(1)
    records['_atproto.cached.example.test'] = [[`did=${BOB}`]]
    expect(await resolver.resolve('cached.example.test', { forceRefresh: true })).toBe(BOB)
    await resolver.resolve('missing.example.test')
    await resolver.resolve('missing.example.test')
    expect(log.length).toBe(4)
  })
})

describe('IdentityResolver', () => {
  const docs = new Map<string, unknown>()
  const doc = (did: string, handle?: string) => ({ id: did, alsoKnownAs: handle ? [`at://${handle}`] : [] })
  const directory: SafeFetch = async (url) => {
    const found = docs.get(decodeURIComponent(new URL(url).pathname.slice(1)))
    return found ? Response.json(found) : new Response(null, { status: 404 })
  }
  const records: Record<string, string[][]> = {
    '_atproto.alice.example.test': [[`did=${ALICE}`]],
    '_atproto.bob.example.test': [[`did=${ALICE}`]], // points at Alice, who does not claim it
    '_atproto.nodoc.example.test': [['did=did:plc:cccccccccccccccccccccccc']],
  }
  docs.set(ALICE, doc(ALICE, 'alice.example.test'))
  docs.set(BOB, doc(BOB, 'bob.example.test'))
  const identity = new IdentityResolver(
    new DidResolver({ plcUrl: 'https://plc.test', fetch: directory }),
    new HandleResolver({ fetch: localFetch, resolveTxt: dns(records) }),
  )

  test('a handle that resolves both ways is verified', async () => {
    const resolved = await identity.resolveIdentity('ALICE.example.test')
    expect(resolved).toEqual({ did: ALICE, handle: 'alice.example.test', didDoc: docs.get(ALICE) as never })
    expect((await identity.resolveIdentity(ALICE)).handle).toBe('alice.example.test')
  })

  test('a handle the DID document does not claim is handle.invalid', async () => {
    expect(await identity.resolveIdentity('bob.example.test')).toMatchObject({
      did: ALICE,
      handle: 'handle.invalid',
    })
  })

  test('a claimed handle that points elsewhere is handle.invalid', async () => {
    expect(await identity.resolveIdentity(BOB)).toMatchObject({ did: BOB, handle: 'handle.invalid' })
  })

  test('a document without a handle gives handle.invalid', async () => {
    docs.set('did:plc:dddddddddddddddddddddddd', doc('did:plc:dddddddddddddddddddddddd'))
    expect((await identity.resolveIdentity('did:plc:dddddddddddddddddddddddd')).handle).toBe('handle.invalid')
  })

  test('an unresolvable handle is HandleNotFound', async () => {
    const err = await identity.resolveIdentity('nobody.example.test').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidRequestError)
    expect((err as InvalidRequestError).error).toBe('HandleNotFound')
  })

  test('a DID without a document is DidNotFound, whichever way it was reached', async () => {
    await expect(identity.resolveIdentity('nodoc.example.test')).rejects.toBeInstanceOf(DidNotFoundError)
    const err = await identity.resolveIdentity('did:plc:eeeeeeeeeeeeeeeeeeeeeeee').catch((e: unknown) => e)
    expect((err as DidNotFoundError).error).toBe('DidNotFound')
  })

  test('malformed identifiers are invalid requests', async () => {
    for (const id of ['did:NOPE', 'not a handle']) {
      await expect(identity.resolveIdentity(id)).rejects.toBeInstanceOf(InvalidRequestError)
    }
  })
})
