// The PLC operation flow of a migration, end to end against the fake directory (which judges
// operations with @did-plc/lib): recommended credentials, the email code read from the received
// mail, signing, the checks before submitting, the directory's document and the #identity event.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { type PlcOperation, signOperation } from '../../src/core/plc/index.ts'
import { type FakePlc, startFakePlc } from '../fakes/plc-server.ts'
import { codeIn, type FakeSmtp, startFakeSmtp } from '../fakes/smtp-server.ts'
import { failure, type SignedUp, signUp } from '../helpers/agents.ts'
import { identityEvents, plcData as plcDataOf, plcServerConfig } from '../helpers/plc-env.ts'
import { type Harness, startHarness } from './harness.ts'

const rotationKey = Secp256k1Keypair.create()
let plc: FakePlc
let smtp: FakeSmtp
let h: Harness
beforeAll(async () => {
  plc = await startFakePlc()
  smtp = await startFakeSmtp()
  h = await startHarness({
    config: {
      ...plcServerConfig(plc, rotationKey),
      email_smtp_url: smtp.url,
      email_from_address: 'pds@example.com',
    },
  })
})
afterAll(async () => {
  await h.stop()
  await smtp.stop()
  await plc.stop()
})

const plcData = (did: string) => plcDataOf(plc, did)

describe('PLC operations', () => {
  let erin: SignedUp
  let signed: PlcOperation
  const userRecovery = Secp256k1Keypair.create()
  beforeAll(async () => {
    erin = await signUp(h, 'erin')
  })

  test('getRecommendedDidCredentials names our keys, handle and endpoint', async () => {
    const { data } = await erin.agent.com.atproto.identity.getRecommendedDidCredentials()
    expect(data).toEqual({
      rotationKeys: [rotationKey.did()],
      alsoKnownAs: ['at://erin.test'],
      verificationMethods: { atproto: h.ctx.accounts.signingKey(erin.did).did() },
      services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: h.baseUrl } },
    })
  })

  test('signPlcOperation needs the emailed code', async () => {
    const sign = (token?: string) => erin.agent.com.atproto.identity.signPlcOperation({ token })
    expect(await failure(sign())).toMatchObject({
      status: 400,
      message: expect.stringMatching(/token required/),
    })
    expect(await failure(sign('AAAAA-AAAAA'))).toMatchObject({ status: 400, error: 'InvalidToken' })
  })

  test('signs an update on the last operation with the code from the mail', async () => {
    await erin.agent.com.atproto.identity.requestPlcOperationSignature()
    const token = codeIn(await smtp.nextMailTo('erin@example.com'))
    const rotationKeys = [userRecovery.did(), rotationKey.did()]
    const alsoKnownAs = ['at://erin.test', 'https://erin.example.org']
    const bad = erin.agent.com.atproto.identity.signPlcOperation({
      token,
      verificationMethods: { atproto: 1 },
    })
    expect(await failure(bad)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/verificationMethods/),
    })
    const { data } = await erin.agent.com.atproto.identity.signPlcOperation({
      token,
      rotationKeys,
      alsoKnownAs,
    })
    signed = data.operation as unknown as PlcOperation
    expect(signed).toMatchObject({ type: 'plc_operation', rotationKeys, alsoKnownAs })
    const again = erin.agent.com.atproto.identity.signPlcOperation({ token, rotationKeys })
    expect(await failure(again)).toMatchObject({ error: 'InvalidToken' })
  })

  const mutations: [string, (op: PlcOperation) => Record<string, unknown>, RegExp][] = [
    ['without our rotation key', (op) => ({ ...op, rotationKeys: [userRecovery.did()] }), /rotation key/],
    [
      'with another PDS endpoint',
      (op) => ({
        ...op,
        services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: 'https://x.org' } },
      }),
      /Incorrect endpoint/,
    ],
    [
      'with another service type',
      (op) => ({ ...op, services: { atproto_pds: { type: 'Other', endpoint: h.baseUrl } } }),
      /Incorrect type/,
    ],
    [
      'with another signing key',
      (op) => ({ ...op, verificationMethods: { atproto: Secp256k1Keypair.create().did() } }),
      /Incorrect signing key/,
    ],
    [
      'with another handle first',
      (op) => ({ ...op, alsoKnownAs: ['at://someone.test'] }),
      /Incorrect handle/,
    ],
    [
      'that is a tombstone',
      (op) => ({ type: 'plc_tombstone', prev: op.prev, sig: op.sig }),
      /Invalid operation/,
    ],
    ['that is not an operation', () => ({ hello: 'world' }), /Invalid operation/],
    ['with an unusable key', (op) => ({ ...op, rotationKeys: ['did:key:nope'] }), /Invalid operation/],
  ]
  for (const [name, mutate, message] of mutations) {
    test(`submitPlcOperation refuses an operation ${name} before the directory sees it`, async () => {
      const ops = plc.ops.get(erin.did)?.length
      const f = await failure(
        erin.agent.com.atproto.identity.submitPlcOperation({ operation: mutate(signed) }),
      )
      expect(f).toMatchObject({ status: 400, error: 'InvalidRequest' })
      expect(f.message).toMatch(message)
      expect(plc.ops.get(erin.did)?.length).toBe(ops)
    })
  }

  test("a directory's refusal (a broken signature) is a 400 with its reason", async () => {
    const forged = { ...signed, sig: signOperation(signed, Secp256k1Keypair.create()).sig }
    const f = await failure(erin.agent.com.atproto.identity.submitPlcOperation({ operation: forged }))
    expect(f).toMatchObject({
      status: 400,
      error: 'InvalidRequest',
      message: expect.stringMatching(/PLC directory refused/),
    })
  })

  test('submitPlcOperation publishes the operation and emits #identity', async () => {
    const seq = h.ctx.sequencer.lastSeq()
    await erin.agent.com.atproto.identity.submitPlcOperation({ operation: { ...signed } })
    expect(await plcData(erin.did)).toMatchObject({
      rotationKeys: [userRecovery.did(), rotationKey.did()],
      alsoKnownAs: ['at://erin.test', 'https://erin.example.org'],
    })
    expect(identityEvents(h, erin.did, seq)).toEqual([expect.objectContaining({ handle: 'erin.test' })])
    const { data } = await erin.agent.com.atproto.identity.resolveDid({ did: erin.did })
    expect((data.didDoc as { alsoKnownAs: string[] }).alsoKnownAs).toContain('https://erin.example.org')
  })

  test('a did:web account has no PLC operations to sign', async () => {
    const web = await startHarness({
      config: { email_smtp_url: smtp.url, email_from_address: 'pds@example.com' },
    })
    try {
      const fay = await signUp(web, 'fay')
      const creds = await fay.agent.com.atproto.identity.getRecommendedDidCredentials()
      expect(creds.data.rotationKeys).toBeUndefined()
      await fay.agent.com.atproto.identity.requestPlcOperationSignature()
      const token = codeIn(await smtp.nextMailTo('fay@example.com'))
      const f = await failure(fay.agent.com.atproto.identity.signPlcOperation({ token }))
      expect(f).toMatchObject({ status: 400, message: expect.stringMatching(/Only did:plc/) })
    } finally {
      await web.stop()
    }
  })
})
