// PlcClient and did:plc resolution against the fake directory (which validates with @did-plc/lib).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { P256Keypair, Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import {
  buildGenesisOp,
  buildTombstone,
  buildUpdateOp,
  cidForOp,
  didForGenesisOp,
  type PlcDataOperation,
  signOperation,
} from '../../../src/core/plc/index.ts'
import { DidResolver, PlcClient, PlcError } from '../../../src/services/identity/index.ts'
import { createSafeFetch } from '../../../src/services/outbound/index.ts'
import { type FakePlc, startFakePlc } from '../../fakes/plc-server.ts'

const safeFetch = createSafeFetch({
  allowPrivate: true,
  timeoutMs: 5000,
  maxBytes: 65536,
  userAgent: 'perlsky-test',
})
const rotation = Secp256k1Keypair.create()
const signing = P256Keypair.create()

let plc: FakePlc
let client: PlcClient
let resolver: DidResolver

beforeAll(async () => {
  plc = await startFakePlc()
  client = new PlcClient(`${plc.url}/`, safeFetch)
  resolver = new DidResolver({ plcUrl: plc.url, fetch: safeFetch })
})
afterAll(() => plc.stop())

async function createDid(handle: string): Promise<{ did: string; op: PlcDataOperation }> {
  const unsigned = buildGenesisOp({
    signingKey: signing.did(),
    rotationKeys: [rotation.did()],
    handle,
    pdsEndpoint: 'https://pds.example.test',
  })
  const op = signOperation(unsigned, rotation)
  const did = didForGenesisOp(op)
  await client.sendOperation(did, op)
  return { did, op }
}

describe('PlcClient', () => {
  test('registers a genesis operation and reads it back', async () => {
    const { did, op } = await createDid('alice.example.test')
    expect(await client.getLastOperation(did)).toEqual(op)
    expect(await client.getDocumentData(did)).toEqual({
      did,
      rotationKeys: [rotation.did()],
      verificationMethods: { atproto: signing.did() },
      alsoKnownAs: ['at://alice.example.test'],
      services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: 'https://pds.example.test' } },
    })
  })

  test('chains an update and lists both in the audit log', async () => {
    const { did, op } = await createDid('bob.example.test')
    const update = signOperation(buildUpdateOp(op, { handle: 'robert.example.test' }), rotation)
    await client.sendOperation(did, update)
    const log = await client.getAuditLog(did)
    expect(log.map((e) => e.operation)).toEqual([op, update])
    expect(log.map((e) => e.cid)).toEqual([cidForOp(op).toString(), cidForOp(update).toString()])
    expect(log.every((e) => !e.nullified && e.did === did)).toBe(true)
  })

  test("a refused operation is a PlcError with the directory's status and message", async () => {
    const { did, op } = await createDid('carol.example.test')
    const forged = signOperation(
      buildUpdateOp(op, { handle: 'mallory.example.test' }),
      Secp256k1Keypair.create(),
    )
    const err = await client.sendOperation(did, forged).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PlcError)
    expect((err as PlcError).plcStatus).toBe(400)
    expect((err as PlcError).message).toContain('Invalid signature')
  })

  test('a genesis operation sent under the wrong DID is refused', async () => {
    const op = signOperation(
      buildGenesisOp({
        signingKey: signing.did(),
        rotationKeys: [rotation.did()],
        handle: 'd.test',
        pdsEndpoint: 'https://p.test',
      }),
      rotation,
    )
    await expect(client.sendOperation('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', op)).rejects.toBeInstanceOf(
      PlcError,
    )
  })

  test('an unknown DID is a 404 PlcError', async () => {
    const err = await client.getLastOperation('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa').catch((e: unknown) => e)
    expect((err as PlcError).plcStatus).toBe(404)
  })

  test('an unreachable directory is a PlcError without status', async () => {
    const down = new PlcClient('http://127.0.0.1:1', safeFetch)
    const err = await down.getDocumentData('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PlcError)
    expect((err as PlcError).plcStatus).toBeUndefined()
  })
})

describe('did:plc resolution', () => {
  test('resolves the document and its atproto data', async () => {
    const { did } = await createDid('dana.example.test')
    const doc = await resolver.resolve(did)
    expect(doc?.id).toBe(did)
    expect(await resolver.resolveAtprotoData(did)).toEqual({
      did,
      signingKey: signing.did(),
      handle: 'dana.example.test',
      pds: 'https://pds.example.test',
    })
  })

  test('a tombstoned DID resolves to null', async () => {
    const { did, op } = await createDid('erin.example.test')
    await client.sendOperation(did, signOperation(buildTombstone(op), rotation))
    expect(await resolver.resolve(did)).toBeNull()
    const err = await client.getDocumentData(did).catch((e: unknown) => e)
    expect((err as PlcError).plcStatus).toBe(410)
  })

  test('an unregistered DID resolves to null', async () => {
    expect(await resolver.resolve('did:plc:bbbbbbbbbbbbbbbbbbbbbbbb')).toBeNull()
  })
})
