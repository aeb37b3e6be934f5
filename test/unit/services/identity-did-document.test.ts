// DID documents: the shape check, and the handle, key and endpoints atproto reads from them.
import { describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import {
  DidDocumentError,
  getHandle,
  getPdsEndpoint,
  getServiceEndpoint,
  getVerificationKey,
  parseDidDocument,
} from '../../../src/services/identity/index.ts'
import { didDocFor } from '../../helpers/did-docs.ts'

const key = Secp256k1Keypair.create()
const multikey = key.did().slice('did:key:'.length)

const docFor = (did: string, extra: Record<string, unknown> = {}) => didDocFor(did, key, extra)

describe('document checks and extraction', () => {
  const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

  test('keeps unknown fields and rejects a wrong or missing id', () => {
    expect(parseDidDocument(did, docFor(did, { extra: 1 })).extra).toBe(1)
    expect(() => parseDidDocument(did, docFor('did:plc:other'))).toThrow(DidDocumentError)
    expect(() => parseDidDocument(did, { alsoKnownAs: [] })).toThrow(DidDocumentError)
    expect(() => parseDidDocument(did, null)).toThrow(DidDocumentError)
  })

  test('the handle is the first syntactically valid at:// entry, lower-cased', () => {
    const aka = ['https://alice.example', 'at://not valid', 'at://Alice.Example.COM', 'at://second.test']
    expect(getHandle(parseDidDocument(did, docFor(did, { alsoKnownAs: aka })))).toBe('alice.example.com')
    expect(getHandle(parseDidDocument(did, docFor(did, { alsoKnownAs: undefined })))).toBeUndefined()
  })

  test('the signing key is found by relative or full id, in Multikey or legacy form', () => {
    const legacy = {
      id: '#atproto',
      type: 'EcdsaSecp256k1VerificationKey2019',
      controller: did,
      publicKeyMultibase:
        'zQYEBzXeuTM9UR3rfvNag6L3RNAs5pQZyYPsomTsgQhsxLdEgCrPTLgFna8yqCnxPpNT7DBk6Ym3dgPKNu86vt9GR',
    }
    expect(getVerificationKey(parseDidDocument(did, docFor(did, { verificationMethod: [legacy] })))).toBe(
      'did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
    )
    expect(getVerificationKey(parseDidDocument(did, docFor(did)))).toBe(key.did())
  })

  test('skips methods of another DID and unusable keys, and takes the first usable one', () => {
    const method = (id: string, publicKeyMultibase: string) => ({
      id,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase,
    })
    const doc = parseDidDocument(
      did,
      docFor(did, {
        verificationMethod: [
          method('did:plc:other#atproto', multikey),
          method('#atproto', 'zBroken'),
          method('#atproto', multikey),
        ],
      }),
    )
    expect(getVerificationKey(doc)).toBe(key.did())
    expect(getVerificationKey(doc, 'atproto_label')).toBeUndefined()
  })

  test('service endpoints must match id and type and be http(s) URLs', () => {
    const service = (serviceEndpoint: unknown, type = 'AtprotoPersonalDataServer') => [
      { id: `${did}#atproto_pds`, type, serviceEndpoint },
    ]
    expect(getPdsEndpoint(parseDidDocument(did, docFor(did, { service: service('https://pds.test') })))).toBe(
      'https://pds.test',
    )
    expect(
      getPdsEndpoint(parseDidDocument(did, docFor(did, { service: service('https://pds.test', 'Other') }))),
    ).toBeUndefined()
    expect(
      getPdsEndpoint(parseDidDocument(did, docFor(did, { service: service('ftp://pds.test') }))),
    ).toBeUndefined()
    expect(
      getPdsEndpoint(parseDidDocument(did, docFor(did, { service: service({ uri: 'x' }) }))),
    ).toBeUndefined()
    expect(getServiceEndpoint(parseDidDocument(did, docFor(did)), '#atproto_pds')).toBe(
      'https://pds.example.test',
    )
  })
})
