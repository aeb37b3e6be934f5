// The admin API's did:plc side against the fake PLC directory (which judges operations with
// @did-plc/lib): updateAccountSigningKey and updateAccountHandle publish signed operations.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { type FakePlc, startFakePlc } from '../fakes/plc-server.ts'
import { failure, type SignedUp, signUp } from '../helpers/agents.ts'
import { plcData as plcDataOf, plcServerConfig } from '../helpers/plc-env.ts'
import { type Harness, startHarness } from './harness.ts'

const ADMIN = { headers: { authorization: `Basic ${btoa('admin:integration-test-admin-password')}` } }
const rotationKey = Secp256k1Keypair.create()

let plc: FakePlc
let h: Harness
let alice: SignedUp

beforeAll(async () => {
  plc = await startFakePlc()
  h = await startHarness({
    config: plcServerConfig(plc, rotationKey),
  })
  alice = await signUp(h, 'alice')
})
afterAll(async () => {
  await h.stop()
  await plc.stop()
})

const admin = () => new AtpAgent({ service: h.url }).com.atproto.admin
const plcData = (did: string) =>
  plcDataOf<{ verificationMethods: Record<string, string>; alsoKnownAs: string[] }>(plc, did)

describe('updateAccountSigningKey', () => {
  test('publishes the new #atproto key in the DID document and announces the identity', async () => {
    const next = Secp256k1Keypair.create().did()
    const before = h.ctx.sequencer.lastSeq()
    await admin().updateAccountSigningKey({ did: alice.did, signingKey: next }, ADMIN)
    expect((await plcData(alice.did)).verificationMethods).toEqual({ atproto: next })
    const events = h.ctx.sequencer.eventsAfter(before, 10)
    expect(events.map((e) => [e.type, e.did])).toEqual([['identity', alice.did]])
  })

  test('refuses what is not a did:key, and unknown accounts', async () => {
    const bad = admin().updateAccountSigningKey({ did: alice.did, signingKey: 'did:web:example.com' }, ADMIN)
    expect(await failure(bad)).toMatchObject({ status: 400, message: expect.stringContaining('did:key') })
    const key = Secp256k1Keypair.create().did()
    const unknown = admin().updateAccountSigningKey(
      { did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', signingKey: key },
      ADMIN,
    )
    expect(await failure(unknown)).toMatchObject({ status: 400 })
  })
})

describe('updateAccountHandle', () => {
  test('goes through the directory like the account’s own handle update', async () => {
    await admin().updateAccountHandle({ did: alice.did, handle: 'alicia.test' }, ADMIN)
    expect((await plcData(alice.did)).alsoKnownAs).toEqual(['at://alicia.test'])
    expect(h.ctx.accounts.getAccount(alice.did)?.handle).toBe('alicia.test')
  })
})
