// did:plc sign-up against the fake PLC directory (which judges operations with @did-plc/lib),
// a failing directory, and migration sign-up with an existing DID and service auth.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import {
  buildGenesisOp,
  buildUpdateOp,
  didForGenesisOp,
  signOperation,
} from '../../src/core/plc/operations.ts'
import type { PlcOperation } from '../../src/core/plc/types.ts'
import { createServiceJwt } from '../../src/services/identity/index.ts'
import { serviceDid } from '../../src/services/server-info.ts'
import { type FakePlc, startFakePlc } from '../fakes/plc-server.ts'
import { errorOf } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

const PASSWORD = 'correct horse battery staple'
const rotationKey = Secp256k1Keypair.create()
const recoveryKey = Secp256k1Keypair.create()

let plc: FakePlc
let h: Harness
beforeAll(async () => {
  plc = await startFakePlc()
  h = await startHarness({ config: plcConfig(plc.url) })
})
afterAll(async () => {
  await h.stop()
  await plc.stop()
})

function plcConfig(plcUrl: string): Record<string, unknown> {
  return {
    account_did_method: 'did:plc',
    plc_url: plcUrl,
    plc_rotation_private_key_hex: Buffer.from(rotationKey.exportPrivateKey()).toString('hex'),
    plc_recovery_did_key: recoveryKey.did(),
  }
}

async function plcGet(path: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${plc.url}/${path}`)).json()) as Record<string, unknown>
}

describe('did:plc sign-up', () => {
  test('registers a DID whose document names this PDS and the account key', async () => {
    const agent = new AtpAgent({ service: h.url })
    const res = await agent.createAccount({
      handle: 'alice.test',
      email: 'alice@example.com',
      password: PASSWORD,
    })
    const did = res.data.did
    expect(did).toMatch(/^did:plc:[a-z2-7]{24}$/)
    const key = h.ctx.accounts.signingKey(did).did()
    const doc = await plcGet(did)
    expect(doc).toMatchObject({
      id: did,
      alsoKnownAs: ['at://alice.test'],
      verificationMethod: [{ id: `${did}#atproto`, publicKeyMultibase: key.slice('did:key:'.length) }],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: h.baseUrl }],
    })
    expect(res.data.didDoc).toEqual(doc)
    expect((await plcGet(`${did}/data`)).rotationKeys).toEqual([recoveryKey.did(), rotationKey.did()])
  })

  test('a login returns the document resolved from the directory', async () => {
    const agent = new AtpAgent({ service: h.url })
    const res = await agent.login({ identifier: 'alice.test', password: PASSWORD })
    expect(res.data.didDoc).toEqual(await plcGet(res.data.did))
  })

  test('puts the user recoveryKey first among the rotation keys', async () => {
    const own = Secp256k1Keypair.create()
    const agent = new AtpAgent({ service: h.url })
    const res = await agent.createAccount({ handle: 'bob.test', password: PASSWORD, recoveryKey: own.did() })
    expect((await plcGet(`${res.data.did}/data`)).rotationKeys).toEqual([
      own.did(),
      recoveryKey.did(),
      rotationKey.did(),
    ])
  })
})

describe('a failing PLC directory', () => {
  for (const [status, body] of [
    [500, { message: 'internal error' }],
    [400, { message: 'Invalid Signature' }],
  ] as const) {
    test(`answering ${status} gives 502 UpstreamFailure and leaves no account behind`, async () => {
      const broken = Bun.serve({
        hostname: '127.0.0.1',
        port: 0,
        fetch: () => Response.json(body, { status }),
      })
      const h2 = await startHarness({ config: plcConfig(`http://127.0.0.1:${broken.port}`) })
      try {
        const agent = new AtpAgent({ service: h2.url })
        const result = await errorOf(agent.createAccount({ handle: 'carol.test', password: PASSWORD }))
        expect(result).toStartWith('502 UpstreamFailure')
        expect(h2.ctx.accounts.getAccount('carol.test')).toBeUndefined()
        expect(h2.ctx.sequencer.eventsAfter(0, 100)).toEqual([])
        const tables = h2.ctx.db.raw.query<{ n: number }, []>('SELECT count(*) AS n FROM account').get()
        expect(tables?.n).toBe(0)
      } finally {
        await h2.stop()
        broken.stop(true)
      }
    })
  }
})

describe('migration sign-up (an existing DID)', () => {
  const userKey = Secp256k1Keypair.create()
  const userRotation = Secp256k1Keypair.create()
  let did: string
  let genesis: PlcOperation

  beforeAll(async () => {
    const unsigned = buildGenesisOp({
      signingKey: userKey.did(),
      rotationKeys: [userRotation.did()],
      handle: 'mover.test',
      pdsEndpoint: 'https://old-pds.example.com',
    })
    genesis = signOperation(unsigned, userRotation)
    did = didForGenesisOp(genesis)
    await h.ctx.identity.plc.sendOperation(did, genesis)
  })

  function serviceAuth(lxm: string): string {
    return createServiceJwt({ iss: did, aud: serviceDid(h.config), lxm, keypair: userKey })
  }

  test('needs a service-auth token from that DID', async () => {
    const agent = new AtpAgent({ service: h.url })
    expect(await errorOf(agent.createAccount({ did, handle: 'mover.test', password: PASSWORD }))).toBe(
      `401 AuthenticationRequired: Missing auth to create account with did: ${did}`,
    )
    const wrongMethod = await errorOf(
      agent.createAccount(
        { did, handle: 'mover.test', password: PASSWORD },
        { headers: { authorization: `Bearer ${serviceAuth('com.atproto.server.getSession')}` } },
      ),
    )
    expect(wrongMethod).toStartWith('401 BadJwtLexiconMethod')
  })

  test('creates a deactivated account with the reserved key, activated once the DID points here', async () => {
    const reserved = await new AtpAgent({ service: h.url }).com.atproto.server.reserveSigningKey({ did })
    const agent = new AtpAgent({ service: h.url })
    const token = serviceAuth('com.atproto.server.createAccount')
    await agent.createAccount(
      { did, handle: 'mover.test', password: PASSWORD },
      { headers: { authorization: `Bearer ${token}` } },
    )
    expect(h.ctx.accounts.signingKey(did).did()).toBe(reserved.data.signingKey)
    expect(h.ctx.accounts.getAccountStatus(did)).toEqual({ active: false, status: 'deactivated' })
    expect(h.ctx.sequencer.eventsAfter(0, 1000).filter((e) => e.did === did)).toEqual([])

    // The client now talks to the PDS the DID document names (the old one): call this one directly.
    const asMover = (method: string, verb = 'GET') =>
      fetch(`${h.url}/xrpc/${method}`, {
        method: verb,
        headers: { authorization: `Bearer ${agent.session!.accessJwt}` },
      }).then((res) => res.json() as Promise<Record<string, unknown>>)
    const before = await asMover('com.atproto.server.checkAccountStatus')
    expect(before).toMatchObject({
      activated: false,
      validDid: false,
      indexedRecords: 0,
      privateStateValues: 0,
    })
    expect(before.repoBlocks).toBeGreaterThan(0)

    const update = buildUpdateOp(genesis, { signingKey: reserved.data.signingKey, pdsEndpoint: h.baseUrl })
    await h.ctx.identity.plc.sendOperation(did, signOperation(update, userRotation))
    expect((await asMover('com.atproto.server.checkAccountStatus')).validDid).toBe(true)

    await fetch(`${h.url}/xrpc/com.atproto.server.activateAccount`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.session!.accessJwt}` },
    })
    expect(h.ctx.accounts.getAccountStatus(did)).toEqual({ active: true })
    const types = h.ctx.sequencer
      .eventsAfter(0, 1000)
      .filter((e) => e.did === did)
      .map((e) => e.type)
    expect(types).toEqual(['account', 'identity', 'sync'])
  })
})
