// Handle updates for did:plc (operations judged by @did-plc/lib in the fake directory) and did:web
// accounts, with the #identity event; and service auth checked through createAccount.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { buildGenesisOp, didForGenesisOp, signOperation } from '../../src/core/plc/index.ts'
import { createServiceJwt } from '../../src/services/identity/index.ts'
import { serviceDid } from '../../src/services/server-info.ts'
import { type FakePlc, startFakePlc } from '../fakes/plc-server.ts'
import { failure, PASSWORD, type SignedUp, signUp } from '../helpers/agents.ts'
import { identityEvents, plcData as plcDataOf, plcServerConfig } from '../helpers/plc-env.ts'
import { type Harness, startHarness } from './harness.ts'

const rotationKey = Secp256k1Keypair.create()
let plc: FakePlc
let h: Harness
beforeAll(async () => {
  plc = await startFakePlc()
  h = await startHarness({
    config: plcServerConfig(plc, rotationKey),
  })
})
afterAll(async () => {
  await h.stop()
  await plc.stop()
})

const plcData = (did: string) => plcDataOf(plc, did)

describe('updateHandle (did:plc)', () => {
  let carol: SignedUp
  beforeAll(async () => {
    carol = await signUp(h, 'carol')
    await signUp(h, 'taken')
  })

  test('submits an operation, writes the handle and emits #identity', async () => {
    const seq = h.ctx.sequencer.lastSeq()
    await carol.agent.com.atproto.identity.updateHandle({ handle: 'carol2.test' })
    expect((await plcData(carol.did)).alsoKnownAs).toEqual(['at://carol2.test'])
    expect(plc.ops.get(carol.did)?.length).toBe(2)
    expect(identityEvents(h, carol.did, seq)).toEqual([
      expect.objectContaining({ did: carol.did, handle: 'carol2.test' }),
    ])
    expect((await carol.agent.com.atproto.server.getSession()).data.handle).toBe('carol2.test')
    const described = await carol.agent.com.atproto.repo.describeRepo({ repo: carol.did })
    expect(described.data).toMatchObject({ handle: 'carol2.test', handleIsCorrect: true })
    const resolved = await carol.agent.com.atproto.identity.resolveHandle({ handle: 'carol2.test' })
    expect(resolved.data.did).toBe(carol.did)
    const old = carol.agent.com.atproto.identity.resolveHandle({ handle: 'carol.test' })
    expect(await failure(old)).toMatchObject({ error: 'HandleNotFound' })
  })

  test('completes a bare name with the service domain', async () => {
    await carol.agent.com.atproto.identity.updateHandle({ handle: 'carol3' })
    expect((await plcData(carol.did)).alsoKnownAs).toEqual(['at://carol3.test'])
  })

  test('setting the current handle again submits nothing but still emits #identity', async () => {
    const seq = h.ctx.sequencer.lastSeq()
    const ops = plc.ops.get(carol.did)?.length
    await carol.agent.com.atproto.identity.updateHandle({ handle: 'carol3.test' })
    expect(plc.ops.get(carol.did)?.length).toBe(ops)
    expect(identityEvents(h, carol.did, seq)).toHaveLength(1)
  })

  for (const [handle, status, error, message] of [
    ['taken.test', 400, 'InvalidRequest', /already taken/],
    ['admin.test', 400, 'HandleNotAvailable', /Reserved/],
    ['ab.test', 400, 'InvalidHandle', /too short/],
    ['a.b.test', 400, 'InvalidHandle', /Invalid characters/],
    ['printer.local', 400, 'InvalidHandle', /TLD/],
  ] as const) {
    test(`refuses ${handle} with ${error}, changing nothing`, async () => {
      const ops = plc.ops.get(carol.did)?.length
      const f = await failure(carol.agent.com.atproto.identity.updateHandle({ handle }))
      expect(f).toMatchObject({ status, error })
      expect(f.message).toMatch(message)
      expect(plc.ops.get(carol.did)?.length).toBe(ops)
      expect(h.ctx.accounts.getAccount(carol.did)?.handle).toBe('carol3.test')
    })
  }

  test('an app-password session may not change the handle', async () => {
    const { data } = await carol.agent.com.atproto.server.createAppPassword({ name: 'client' })
    const app = new AtpAgent({ service: h.url })
    await app.login({ identifier: carol.did, password: data.password })
    const f = await failure(app.com.atproto.identity.updateHandle({ handle: 'carol4.test' }))
    expect(f).toMatchObject({ status: 400, error: 'InvalidToken' })
  })
})

describe('updateHandle (did:web)', () => {
  test('the served document and the session follow the new handle', async () => {
    const web = await startHarness()
    try {
      const dan = await signUp(web, 'dan')
      const seq = web.ctx.sequencer.lastSeq()
      await dan.agent.com.atproto.identity.updateHandle({ handle: 'daniel.test' })
      const id = dan.did.split(':').at(-1)
      const doc = (await (await fetch(`${web.url}/users/${id}/did.json`)).json()) as { alsoKnownAs: string[] }
      expect(doc.alsoKnownAs).toEqual(['at://daniel.test'])
      expect(identityEvents(web, dan.did, seq)).toEqual([expect.objectContaining({ handle: 'daniel.test' })])
      const described = await dan.agent.com.atproto.repo.describeRepo({ repo: dan.did })
      expect(described.data).toMatchObject({ handle: 'daniel.test', handleIsCorrect: true })
    } finally {
      await web.stop()
    }
  })
})

describe('service auth through createAccount', () => {
  const userKey = Secp256k1Keypair.create()
  let did: string
  beforeAll(async () => {
    const genesis = signOperation(
      buildGenesisOp({
        signingKey: userKey.did(),
        rotationKeys: [userKey.did()],
        handle: 'mover.test',
        pdsEndpoint: 'https://old-pds.example.org',
      }),
      userKey,
    )
    did = didForGenesisOp(genesis)
    await h.ctx.identity.plc.sendOperation(did, genesis)
  })

  const lxm = 'com.atproto.server.createAccount'
  for (const [name, error, token] of [
    [
      'an expired token',
      'JwtExpired',
      () => createServiceJwt({ iss: did, aud: serviceDid(h.config), lxm, keypair: userKey, expSeconds: -10 }),
    ],
    [
      'a token for another service',
      'BadJwtAudience',
      () => createServiceJwt({ iss: did, aud: 'did:web:other.example.org', lxm, keypair: userKey }),
    ],
    [
      'a token signed by another key',
      'BadJwtSignature',
      () =>
        createServiceJwt({ iss: did, aud: serviceDid(h.config), lxm, keypair: Secp256k1Keypair.create() }),
    ],
  ] as const) {
    test(`refuses ${name} with 401 ${error}`, async () => {
      const agent = new AtpAgent({ service: h.url })
      const call = agent.createAccount(
        { did, handle: 'mover.test', password: PASSWORD },
        { headers: { authorization: `Bearer ${token()}` } },
      )
      expect(await failure(call)).toMatchObject({ status: 401, error })
    })
  }
})
