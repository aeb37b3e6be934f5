// com.atproto.identity resolution through XRPC with @atproto/api: local accounts first, DNS TXT
// (an injected resolver), the https well-known method (a server on 127.0.0.1 standing in for every
// handle host), caching, refreshIdentity, DidNotFound / DidDeactivated from the fake PLC directory,
// and updateHandle to a domain of the user's own.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { buildGenesisOp, buildTombstone, didForGenesisOp, signOperation } from '../../src/core/plc/index.ts'
import { createSafeFetch, type SafeFetch } from '../../src/services/outbound/index.ts'
import { type FakePlc, startFakePlc } from '../fakes/plc-server.ts'
import { failure, PASSWORD } from '../helpers/agents.ts'
import { plcServerConfig } from '../helpers/plc-env.ts'
import { type Harness, startHarness } from './harness.ts'

/** What https://<host>/.well-known/atproto-did answers, by host; every answer is counted. */
const wellKnown = new Map<string, string>()
const wellKnownHits: string[] = []
const handleHost = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    const host = (req.headers.get('host') ?? '').split(':')[0] ?? ''
    wellKnownHits.push(host)
    const did = wellKnown.get(host)
    const found = new URL(req.url).pathname === '/.well-known/atproto-did' && did !== undefined
    return found ? new Response(`${did}\n`) : new Response('not here', { status: 404 })
  },
})

/** `_atproto.<handle>` TXT records; an absent name fails like NXDOMAIN. Every query is logged. */
const txt = new Map<string, string>()
const dnsQueries: string[] = []
async function resolveTxt(name: string): Promise<string[][]> {
  dnsQueries.push(name)
  const did = txt.get(name)
  if (did === undefined) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
  return [[`did=${did}`]]
}

/** Every host name is 127.0.0.1; https://<handle>/ goes to the handle host server over http. */
const pinned = createSafeFetch({
  allowPrivate: true,
  timeoutMs: 5000,
  maxBytes: 1 << 20,
  userAgent: 'perlsky-test',
  lookup: async () => ['127.0.0.1'],
})
const network: SafeFetch = (input, init) => {
  const url = new URL(input)
  if (url.protocol === 'https:') {
    url.protocol = 'http:'
    url.port = String(handleHost.port)
  }
  return pinned(url, init)
}

const rotationKey = Secp256k1Keypair.create()
let plc: FakePlc
let h: Harness
let agent: AtpAgent
let alice: { did: string; agent: AtpAgent }

beforeAll(async () => {
  plc = await startFakePlc()
  h = await startHarness({
    config: plcServerConfig(plc, rotationKey),
    context: { identityNetwork: { fetch: network, resolveTxt } },
  })
  agent = new AtpAgent({ service: h.url })
  const aliceAgent = new AtpAgent({ service: h.url })
  const res = await aliceAgent.createAccount({
    handle: 'alice.test',
    email: 'a@example.com',
    password: PASSWORD,
  })
  alice = { did: res.data.did, agent: aliceAgent }
})
afterAll(async () => {
  await h.stop()
  await plc.stop()
  handleHost.stop(true)
})

/** A DID registered at the fake directory by someone else, claiming `handle`. */
async function foreignDid(handle: string) {
  const key = Secp256k1Keypair.create()
  const genesis = signOperation(
    buildGenesisOp({
      signingKey: key.did(),
      rotationKeys: [key.did()],
      handle,
      pdsEndpoint: 'https://elsewhere.example.org',
    }),
    key,
  )
  const did = didForGenesisOp(genesis)
  await h.ctx.identity.plc.sendOperation(did, genesis)
  return { did, key, genesis }
}

const resolveHandle = (handle: string) => agent.com.atproto.identity.resolveHandle({ handle })

describe('resolveHandle', () => {
  test('answers a local handle from the database, in any case, without lookups', async () => {
    expect((await resolveHandle('alice.test')).data.did).toBe(alice.did)
    expect((await resolveHandle('ALICE.Test')).data.did).toBe(alice.did)
    expect(dnsQueries.filter((q) => q.endsWith('alice.test'))).toEqual([])
  })

  test('a free name under the service domain is HandleNotFound without any lookup', async () => {
    expect(await failure(resolveHandle('nobody.test'))).toMatchObject({
      status: 400,
      error: 'HandleNotFound',
    })
    expect(dnsQueries.filter((q) => q.endsWith('.test'))).toEqual([])
    expect(wellKnownHits.filter((h) => h.endsWith('.test'))).toEqual([])
  })

  test('resolves another domain through its DNS TXT record', async () => {
    txt.set('_atproto.dns.example.org', 'did:plc:dnsdnsdnsdnsdnsdnsdnsdnsd')
    expect((await resolveHandle('dns.example.org')).data.did).toBe('did:plc:dnsdnsdnsdnsdnsdnsdnsdnsd')
  })

  test('resolves another domain through its https well-known document, and caches it', async () => {
    wellKnown.set('web.example.org', 'did:plc:webwebwebwebwebwebwebwebw')
    expect((await resolveHandle('web.example.org')).data.did).toBe('did:plc:webwebwebwebwebwebwebwebw')
    const hits = wellKnownHits.length
    wellKnown.set('web.example.org', 'did:plc:movedmovedmovedmovedmoved')
    expect((await resolveHandle('web.example.org')).data.did).toBe('did:plc:webwebwebwebwebwebwebwebw')
    expect(wellKnownHits.length).toBe(hits)
  })

  test('a handle that neither method resolves is HandleNotFound', async () => {
    const f = await failure(resolveHandle('ghost.example.org'))
    expect(f).toMatchObject({ status: 400, error: 'HandleNotFound' })
    expect(dnsQueries).toContain('_atproto.ghost.example.org')
    expect(wellKnownHits).toContain('ghost.example.org')
  })

  test('a handle under a reserved TLD is HandleNotFound without any lookup', async () => {
    expect(await failure(resolveHandle('printer.local'))).toMatchObject({ error: 'HandleNotFound' })
    expect(dnsQueries).not.toContain('_atproto.printer.local')
  })

  for (const handle of ['not_a_handle', 'double..dot.org', 'nodots']) {
    test(`the malformed handle "${handle}" is refused as InvalidRequest`, async () => {
      expect(await failure(resolveHandle(handle))).toMatchObject({ status: 400, error: 'InvalidRequest' })
    })
  }
})

describe('resolveDid', () => {
  test("answers the directory's document", async () => {
    const { data } = await agent.com.atproto.identity.resolveDid({ did: alice.did })
    const published = (await (await fetch(`${plc.url}/${alice.did}`)).json()) as Record<string, unknown>
    expect(data.didDoc).toEqual(published)
  })

  test('an unknown DID is DidNotFound; a tombstoned one is DidDeactivated', async () => {
    const unknown = await failure(
      agent.com.atproto.identity.resolveDid({ did: 'did:plc:unknownunknownunknownunk' }),
    )
    expect(unknown).toMatchObject({ status: 400, error: 'DidNotFound' })
    const { did, key, genesis } = await foreignDid('gone.example.org')
    await h.ctx.identity.plc.sendOperation(did, signOperation(buildTombstone(genesis), key))
    expect(await failure(agent.com.atproto.identity.resolveDid({ did }))).toMatchObject({
      status: 400,
      error: 'DidDeactivated',
    })
    const identity = agent.com.atproto.identity.resolveIdentity({ identifier: did })
    expect(await failure(identity)).toMatchObject({ error: 'DidDeactivated' })
  })
})

describe('resolveIdentity and refreshIdentity', () => {
  const resolveIdentity = (identifier: string) => agent.com.atproto.identity.resolveIdentity({ identifier })

  test('a local account is verified both ways, by handle or DID', async () => {
    const byHandle = (await resolveIdentity('alice.test')).data
    expect(byHandle).toMatchObject({ did: alice.did, handle: 'alice.test' })
    expect((await resolveIdentity(alice.did)).data).toEqual(byHandle)
  })

  test('a handle whose DID document claims it back is verified', async () => {
    const { did } = await foreignDid('mutual.example.org')
    txt.set('_atproto.mutual.example.org', did)
    expect((await resolveIdentity('mutual.example.org')).data).toMatchObject({
      did,
      handle: 'mutual.example.org',
    })
  })

  test('a handle the DID document does not claim is handle.invalid', async () => {
    const { did } = await foreignDid('someone-else.example.org')
    txt.set('_atproto.oneway.example.org', did)
    expect((await resolveIdentity('oneway.example.org')).data).toMatchObject({
      did,
      handle: 'handle.invalid',
    })
  })

  test('refreshIdentity skips the caches and needs a session', async () => {
    const { did } = await foreignDid('fresh.example.org')
    wellKnown.set('fresh.example.org', 'did:plc:stalestalestalestalestale')
    expect((await resolveHandle('fresh.example.org')).data.did).toBe('did:plc:stalestalestalestalestale')
    wellKnown.set('fresh.example.org', did)
    const refresh = (a: AtpAgent) =>
      a.com.atproto.identity.refreshIdentity({ identifier: 'fresh.example.org' })
    expect(await failure(refresh(agent))).toMatchObject({ status: 401, error: 'AuthMissing' })
    expect((await refresh(alice.agent)).data).toMatchObject({ did, handle: 'fresh.example.org' })
    expect((await resolveHandle('fresh.example.org')).data.did).toBe(did)
  })
})

describe('updateHandle to a domain of your own', () => {
  test('is refused until the domain points at the DID', async () => {
    const f = await failure(alice.agent.com.atproto.identity.updateHandle({ handle: 'alice.example.org' }))
    expect(f).toMatchObject({
      status: 400,
      error: 'InvalidRequest',
      message: 'External handle did not resolve to DID',
    })
  })

  test('is accepted through DNS, and the DID document then claims it', async () => {
    txt.set('_atproto.alice.example.org', alice.did)
    await alice.agent.com.atproto.identity.updateHandle({ handle: 'alice.example.org' })
    const data = (await (await fetch(`${plc.url}/${alice.did}/data`)).json()) as { alsoKnownAs: string[] }
    expect(data.alsoKnownAs).toEqual(['at://alice.example.org'])
    expect((await resolveHandle('alice.example.org')).data.did).toBe(alice.did)
    expect(await failure(resolveHandle('alice.test'))).toMatchObject({ error: 'HandleNotFound' })
    const identity = await agent.com.atproto.identity.resolveIdentity({ identifier: alice.did })
    expect(identity.data.handle).toBe('alice.example.org')
  })

  test('is accepted through the well-known document', async () => {
    wellKnown.set('www.alice.example.org', alice.did)
    await alice.agent.com.atproto.identity.updateHandle({ handle: 'www.alice.example.org' })
    const session = await alice.agent.com.atproto.server.getSession()
    expect(session.data.handle).toBe('www.alice.example.org')
  })
})
