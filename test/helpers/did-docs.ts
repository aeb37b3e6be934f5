/** DID documents for identity tests. */
import type { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'

/**
 * An atproto DID document for `did`: handle alice.example.test, `key` as its #atproto Multikey,
 * and the PDS https://pds.example.test; `extra` fields are added or replace these.
 */
export function didDocFor(did: string, key: Secp256k1Keypair, extra: Record<string, unknown> = {}) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    alsoKnownAs: ['at://alice.example.test'],
    verificationMethod: [
      {
        id: `${did}#atproto`,
        type: 'Multikey',
        controller: did,
        publicKeyMultibase: key.did().slice('did:key:'.length),
      },
    ],
    service: [
      { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.test' },
    ],
    ...extra,
  }
}
