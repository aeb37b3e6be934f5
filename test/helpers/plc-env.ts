/**
 * did:plc servers against the fake PLC directory (test/fakes/plc-server.ts): the harness config
 * that publishes there, the directory's view of a DID, and the #identity events the server emits.
 */
import { decodeCbor } from '../../src/core/cbor.ts'
import type { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import type { FakePlc } from '../fakes/plc-server.ts'
import type { Harness } from '../integration/harness.ts'

/** Config keys (as in the JSON file) for did:plc accounts published to `plc` with `rotationKey`. */
export function plcServerConfig(plc: FakePlc, rotationKey: Secp256k1Keypair) {
  return {
    account_did_method: 'did:plc',
    plc_url: plc.url,
    plc_rotation_private_key_hex: Buffer.from(rotationKey.exportPrivateKey()).toString('hex'),
  }
}

/** The directory's `/<did>/data` answer (the DID's current operation data). */
export async function plcData<T = { rotationKeys: string[]; alsoKnownAs: string[] }>(
  plc: FakePlc,
  did: string,
): Promise<T> {
  return (await (await fetch(`${plc.url}/${did}/data`)).json()) as T
}

/** The #identity events of `did` after `seq`, decoded. */
export function identityEvents(harness: Harness, did: string, seq: number) {
  return harness.ctx.sequencer
    .eventsAfter(seq, 1000)
    .filter((e) => e.did === did && e.type === 'identity')
    .map((e) => decodeCbor(e.event) as { did: string; handle?: string })
}
