// did:plc operations, checked against the reference library (@did-plc/lib) as the other side.
import { describe, expect, test } from 'bun:test'
import * as plcLib from '@did-plc/lib'
import { didKeyFromVerificationMethod } from '../../../src/core/crypto/did-key.ts'
import { type Keypair, P256Keypair, Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import {
  type AnyPlcOperation,
  buildGenesisOp,
  buildTombstone,
  buildUpdateOp,
  cidForOp,
  didForGenesisOp,
  docFromOp,
  type LegacyCreateOperation,
  normalizeOp,
  type PlcOperation,
  PlcOperationError,
  parsePlcOperation,
  signOperation,
  verifyOperationSignature,
} from '../../../src/core/plc/index.ts'

/** Our keypair behind the reference library's (async) signer interface. */
function refSigner(key: Keypair) {
  return { jwtAlg: key.jwtAlg, did: () => key.did(), sign: async (msg: Uint8Array) => key.sign(msg) }
}

const rotation = Secp256k1Keypair.import('9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0c')
const recovery = P256Keypair.import('f4b3e1a5d0a2e1f9a7c6b5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4')
const signing = Secp256k1Keypair.create()

function genesis(rotationKeys = [rotation.did(), recovery.did()]): { op: PlcOperation; did: string } {
  const unsigned = buildGenesisOp({
    signingKey: signing.did(),
    rotationKeys,
    handle: 'Alice.Example.Test',
    pdsEndpoint: 'https://pds.example.test',
  })
  const op = signOperation(unsigned, rotation)
  return { op, did: didForGenesisOp(op) }
}

/** The reference library's view of a log: ops indexed with their CIDs. */
function indexed(did: string, ops: AnyPlcOperation[]) {
  return ops.map((operation) => ({
    did,
    operation,
    cid: cidForOp(operation),
    nullified: false,
    createdAt: new Date(),
  }))
}

describe('genesis operation', () => {
  test('derives the same DID and signature as the reference library', async () => {
    const { op, did } = genesis()
    const ref = await plcLib.createOp({
      signingKey: signing.did(),
      handle: 'alice.example.test',
      pds: 'https://pds.example.test',
      rotationKeys: [rotation.did(), recovery.did()],
      signer: refSigner(rotation) as never,
    })
    expect(op).toEqual(ref.op as PlcOperation)
    expect(did).toBe(ref.did)
    expect(did).toBe(await plcLib.didForCreateOp(op))
    expect(did).toMatch(/^did:plc:[a-z2-7]{24}$/)
  })

  test('is accepted by the reference validity and signature checks', async () => {
    const { op, did } = genesis()
    await plcLib.assureValidOp(op)
    expect(await plcLib.assureValidSig([recovery.did(), rotation.did()], op)).toBe(rotation.did())
    const data = await plcLib.assureValidCreationOp(did, op)
    expect(data.alsoKnownAs).toEqual(['at://alice.example.test'])
  })

  test('a P-256 rotation key signs operations the reference library accepts', async () => {
    const unsigned = buildGenesisOp({
      signingKey: signing.did(),
      rotationKeys: [recovery.did()],
      handle: 'bob.example.test',
      pdsEndpoint: 'https://pds.example.test',
    })
    const op = signOperation(unsigned, recovery)
    await plcLib.assureValidCreationOp(didForGenesisOp(op), op)
    expect(verifyOperationSignature(op, [recovery.did()])).toBe(recovery.did())
  })

  test('didForGenesisOp refuses an operation with a prev', () => {
    const { op } = genesis()
    expect(() => didForGenesisOp({ ...op, prev: cidForOp(op).toString() })).toThrow(PlcOperationError)
  })
})

describe('signature verification', () => {
  test('returns the rotation key that signed', () => {
    const { op } = genesis()
    expect(verifyOperationSignature(op, [recovery.did(), rotation.did()])).toBe(rotation.did())
  })

  test('returns undefined for a key that did not sign, a tampered op, a bad sig or a bad key', () => {
    const { op } = genesis()
    expect(verifyOperationSignature(op, [recovery.did()])).toBeUndefined()
    expect(
      verifyOperationSignature({ ...op, alsoKnownAs: ['at://mallory.test'] }, [rotation.did()]),
    ).toBeUndefined()
    expect(verifyOperationSignature({ ...op, sig: `${op.sig}=` }, [rotation.did()])).toBeUndefined()
    expect(verifyOperationSignature({ ...op, sig: 'abcde' }, [rotation.did()])).toBeUndefined()
    expect(verifyOperationSignature(op, ['did:key:zNotAKey', rotation.did()])).toBe(rotation.did())
  })

  test('verifies operations the reference library signed', async () => {
    const { op } = genesis()
    const ref = await plcLib.updateHandleOp(op, refSigner(rotation) as never, 'carol.example.test')
    expect(verifyOperationSignature(ref as PlcOperation, [rotation.did()])).toBe(rotation.did())
    expect(ref.prev).toBe(cidForOp(op).toString())
  })
})

describe('update operations', () => {
  test('a chain of updates and a tombstone validates with the reference log checks', async () => {
    const { op: first, did } = genesis()
    const newSigning = P256Keypair.create()
    const second = signOperation(buildUpdateOp(first, { handle: 'alice2.example.test' }), rotation)
    const third = signOperation(
      buildUpdateOp(second, { signingKey: newSigning.did(), pdsEndpoint: 'https://other.example.test' }),
      recovery,
    )
    const proposed = signOperation(buildUpdateOp(third, { rotationKeys: [recovery.did()] }), rotation)
    const log = [first, second, third]
    const next = await plcLib.assureValidNextOp(did, indexed(did, log) as never, proposed)
    expect(next.nullified).toEqual([])
    const data = await plcLib.validateOperationLog(did, [...log, proposed])
    expect(data?.verificationMethods).toEqual({ atproto: newSigning.did() })
    expect(data?.services.atproto_pds?.endpoint).toBe('https://other.example.test')
    expect(data?.alsoKnownAs).toEqual(['at://alice2.example.test'])
    expect(data?.rotationKeys).toEqual([recovery.did()])
    const tombstone = signOperation(buildTombstone(proposed), recovery)
    expect(await plcLib.validateOperationLog(did, [...log, proposed, tombstone])).toBeNull()
  })

  test('an update signed by a key outside the rotation keys is refused by the reference check', async () => {
    const { op, did } = genesis([recovery.did()])
    const update = signOperation(buildUpdateOp(op, { handle: 'x.example.test' }), rotation)
    await expect(plcLib.assureValidNextOp(did, indexed(did, [op]) as never, update)).rejects.toThrow()
    expect(verifyOperationSignature(update, op.rotationKeys)).toBeUndefined()
  })

  test('the handle replaces the first at:// entry and keeps the others', () => {
    const { op } = genesis()
    const withAka = { ...op, alsoKnownAs: ['https://alice.example', 'at://old.test', 'at://older.test'] }
    expect(buildUpdateOp(withAka, { handle: 'new.test' }).alsoKnownAs).toEqual([
      'https://alice.example',
      'at://new.test',
      'at://older.test',
    ])
    expect(buildUpdateOp({ ...op, alsoKnownAs: [] }, { handle: 'new.test' }).alsoKnownAs).toEqual([
      'at://new.test',
    ])
  })

  test('prev is the CID of the last operation, as the reference library computes it', async () => {
    const { op } = genesis()
    const { cid } = await plcLib.getLastOpWithCid([op])
    expect(buildUpdateOp(op, {}).prev).toBe(cid.toString())
  })

  test('a tombstone cannot be built on a tombstone', () => {
    const { op } = genesis()
    const tombstone = signOperation(buildTombstone(op), rotation)
    expect(() => buildTombstone(tombstone)).toThrow(PlcOperationError)
  })
})

describe('operation field checks', () => {
  const base = { signingKey: signing.did(), handle: 'a.example.test', pdsEndpoint: 'https://pds.test' }
  const cases: [string, Parameters<typeof buildGenesisOp>[0]][] = [
    ['no rotation keys', { ...base, rotationKeys: [] }],
    [
      'six rotation keys',
      { ...base, rotationKeys: Array.from({ length: 6 }, () => Secp256k1Keypair.create().did()) },
    ],
    ['a repeated rotation key', { ...base, rotationKeys: [rotation.did(), rotation.did()] }],
    ['an unparsable rotation key', { ...base, rotationKeys: ['did:key:zBogus'] }],
    [
      'an unparsable signing key',
      { ...base, signingKey: 'did:web:example.com', rotationKeys: [rotation.did()] },
    ],
    ['an invalid handle', { ...base, handle: 'not a handle', rotationKeys: [rotation.did()] }],
    ['a non-http PDS endpoint', { ...base, pdsEndpoint: 'ftp://pds.test', rotationKeys: [rotation.did()] }],
    ['an unparsable PDS endpoint', { ...base, pdsEndpoint: 'pds.test', rotationKeys: [rotation.did()] }],
  ]
  for (const [name, opts] of cases) {
    test(`buildGenesisOp rejects ${name}`, () => {
      expect(() => buildGenesisOp(opts)).toThrow(PlcOperationError)
    })
  }
})

describe('legacy create operations', () => {
  const legacyUnsigned = {
    type: 'create' as const,
    signingKey: signing.did(),
    recoveryKey: recovery.did(),
    handle: 'legacy.example.test',
    service: 'https://pds.example.test',
    prev: null,
  }

  test('normalize like the reference library and derive the same DID', async () => {
    const ref = (await plcLib.deprecatedSignCreate(
      legacyUnsigned,
      refSigner(signing) as never,
    )) as LegacyCreateOperation
    expect(normalizeOp(ref)).toEqual(plcLib.normalizeOp(ref) as PlcOperation)
    expect(didForGenesisOp(ref)).toBe(await plcLib.didForCreateOp(ref))
    expect(verifyOperationSignature(ref, normalizeOp(ref).rotationKeys)).toBe(signing.did())
  })

  test('can be updated, and the reference log check accepts the update', async () => {
    const ref = (await plcLib.deprecatedSignCreate(
      legacyUnsigned,
      refSigner(signing) as never,
    )) as LegacyCreateOperation
    const did = didForGenesisOp(ref)
    const update = signOperation(buildUpdateOp(ref, { handle: 'renamed.example.test' }), recovery)
    const data = await plcLib.validateOperationLog(did, [ref, update])
    expect(data?.alsoKnownAs).toEqual(['at://renamed.example.test'])
  })
})

describe('DID document', () => {
  test('carries the same handle, key and PDS as the reference document', () => {
    const { op, did } = genesis()
    const ours = docFromOp(did, op)
    const ref = plcLib.formatDidDoc(plcLib.opToData(did, op)!)
    expect(ours.id).toBe(ref.id)
    expect(ours.alsoKnownAs).toEqual(ref.alsoKnownAs)
    expect(ours.service).toEqual(ref.service)
    const [method] = ours.verificationMethod
    const [refMethod] = ref.verificationMethod
    expect(method?.id).toBe(`${did}#atproto`)
    expect(didKeyFromVerificationMethod(method!)).toBe(signing.did())
    expect(didKeyFromVerificationMethod(refMethod!)).toBe(signing.did())
    expect(ours['@context']).toEqual([
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1',
      'https://w3id.org/security/suites/secp256k1-2019/v1',
    ])
  })
})

describe('parsePlcOperation', () => {
  const { op } = genesis()
  const valid: [string, unknown][] = [
    ['a plc_operation', op],
    ['a tombstone', { type: 'plc_tombstone', prev: 'bafyreib', sig: 'x' }],
    [
      'a legacy create',
      { type: 'create', signingKey: 'a', recoveryKey: 'b', handle: 'c', service: 'd', prev: null, sig: 'e' },
    ],
    ['an operation with an extra field', { ...op, extra: 1 }],
  ]
  for (const [name, value] of valid) {
    test(`accepts ${name} as received`, () => {
      expect(parsePlcOperation(value)).toBe(value as AnyPlcOperation)
    })
  }
  const invalid: [string, unknown][] = [
    ['null', null],
    ['an array', [op]],
    ['an unknown type', { ...op, type: 'plc_other' }],
    ['a missing sig', { ...op, sig: undefined }],
    ['non-string rotation keys', { ...op, rotationKeys: [1] }],
    ['a service without endpoint', { ...op, services: { atproto_pds: { type: 'x' } } }],
    ['a numeric prev', { ...op, prev: 1 }],
    ['a tombstone without prev', { type: 'plc_tombstone', prev: null, sig: 'x' }],
    [
      'a legacy create with a prev',
      { type: 'create', signingKey: 'a', recoveryKey: 'b', handle: 'c', service: 'd', prev: 'x', sig: 'e' },
    ],
  ]
  for (const [name, value] of invalid) {
    test(`rejects ${name}`, () => {
      expect(() => parsePlcOperation(value)).toThrow(PlcOperationError)
    })
  }
})
