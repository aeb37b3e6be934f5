import { describe, expect, test } from 'bun:test'
import * as atprotoCrypto from '@atproto/crypto'
import { base58btc } from 'multiformats/bases/base58'
import {
  didKeyFromVerificationMethod,
  formatDidKey,
  formatMultikey,
  parseDidKey,
  parseMultikey,
} from '../../../src/core/crypto/did-key.ts'
import {
  decompressPublicKey,
  InvalidKeyError,
  type JwtAlg,
  prepareNonce,
  signMessage,
} from '../../../src/core/crypto/ecdsa.ts'
import { importKeypair, P256Keypair, Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import { verifySignature, verifySignatureWithKey } from '../../../src/core/crypto/verify.ts'
import signatureFixtures from '../../fixtures/interop/crypto/signature-fixtures.json'
import k256Fixtures from '../../fixtures/interop/crypto/w3c_didkey_K256.json'
import p256Fixtures from '../../fixtures/interop/crypto/w3c_didkey_P256.json'

const b64 = (s: string) => Uint8Array.fromBase64(s)
const K256_ORDER = '0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'
const P256_ORDER = '0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'
const msg = new TextEncoder().encode('the quick brown fox')

describe('signature fixtures', () => {
  for (const f of signatureFixtures) {
    const expected = f.validSignature ? 'accepts' : 'rejects'
    test(`${expected}: ${f.comment}`, () => {
      const message = b64(f.messageBase64)
      const sig = b64(f.signatureBase64)
      expect(verifySignature(f.publicKeyDid, message, sig)).toBe(f.validSignature)
      const { jwtAlg, publicKey } = parseDidKey(f.publicKeyDid)
      expect(jwtAlg).toBe(f.algorithm as JwtAlg)
      expect(verifySignatureWithKey(jwtAlg, publicKey, message, sig)).toBe(f.validSignature)
    })

    test(`resolves the ${f.didDocSuite} multibase key to its did:key (${f.algorithm})`, () => {
      const method = { type: f.didDocSuite, publicKeyMultibase: f.publicKeyMultibase }
      expect(didKeyFromVerificationMethod(method)).toBe(f.publicKeyDid)
    })
  }

  test('the malleable opt-in accepts the high-S and DER fixtures', () => {
    for (const f of signatureFixtures.filter((x) => !x.validSignature)) {
      const ok = verifySignature(f.publicKeyDid, b64(f.messageBase64), b64(f.signatureBase64), {
        allowMalleableSig: true,
      })
      expect(ok).toBe(true)
    }
  })
})

describe('W3C did:key fixtures', () => {
  for (const f of k256Fixtures) {
    test(`derives ${f.publicDidKey} from its K-256 private key`, () => {
      const key = Secp256k1Keypair.import(f.privateKeyBytesHex)
      expect(key.did()).toBe(f.publicDidKey)
      expect(parseDidKey(f.publicDidKey)).toEqual({ jwtAlg: 'ES256K', publicKey: key.publicKeyBytes() })
    })
  }
  for (const f of p256Fixtures) {
    test(`derives ${f.publicDidKey} from its P-256 private key`, () => {
      const key = P256Keypair.import(base58btc.baseDecode(f.privateKeyBytesBase58))
      expect(key.did()).toBe(f.publicDidKey)
      expect(parseDidKey(f.publicDidKey)).toEqual({ jwtAlg: 'ES256', publicKey: key.publicKeyBytes() })
    })
  }
})

describe('keypairs', () => {
  for (const Keypair of [Secp256k1Keypair, P256Keypair]) {
    test(`${Keypair.name} signs compact low-S signatures that verify`, () => {
      const key = Keypair.create()
      const sig = key.sign(msg)
      expect(sig.length).toBe(64)
      expect(verifySignature(key.did(), msg, sig)).toBe(true)
      expect(verifySignature(key.did(), new TextEncoder().encode('other'), sig)).toBe(false)
      expect(verifySignature(Keypair.create().did(), msg, sig)).toBe(false)
    })

    test(`${Keypair.name} round-trips through exportPrivateKey and hex import`, () => {
      const key = Keypair.create()
      const hex = Buffer.from(key.exportPrivateKey()).toString('hex')
      const again = Keypair.import(hex)
      expect(again.did()).toBe(key.did())
      expect(again.sign(msg)).toEqual(key.sign(msg)) // RFC 6979: deterministic
    })
  }

  test('a K-256 keypair with a nonce source signs with prepared nonces, each once, verifiably', async () => {
    const prepared = [prepareNonce('ES256K'), prepareNonce('ES256K')]
    const handed: Uint8Array[] = []
    const key = Secp256k1Keypair.import(Secp256k1Keypair.create().exportPrivateKey(), {
      take: () => {
        const nonce = prepared.shift()
        if (nonce) handed.push(nonce)
        return nonce
      },
    })
    const deterministic = Secp256k1Keypair.import(key.exportPrivateKey())
    const [a, b, c] = [key.sign(msg), key.sign(msg), key.sign(msg)]
    expect(a.subarray(0, 32)).toEqual(handed[0]!.subarray(0, 32)) // r comes from the nonce
    expect(b.subarray(0, 32)).toEqual(handed[1]!.subarray(0, 32))
    expect(a).not.toEqual(b)
    expect(c).toEqual(deterministic.sign(msg)) // none left: RFC 6979
    for (const sig of [a, b, c]) {
      expect(verifySignature(key.did(), msg, sig)).toBe(true)
      expect(await atprotoCrypto.verifySignature(key.did(), msg, sig)).toBe(true)
    }
  })

  for (const alg of ['ES256K', 'ES256'] as const) {
    test(`${alg}: signatures from prepared nonces are low-S and verify, over many nonces`, () => {
      const key = importKeypair(
        alg,
        (alg === 'ES256K' ? Secp256k1Keypair : P256Keypair).create().exportPrivateKey(),
      )
      const halfOrder = BigInt(`0x${(alg === 'ES256K' ? K256_ORDER : P256_ORDER).slice(2)}`) >> 1n
      for (let i = 0; i < 50; i++) {
        const message = crypto.getRandomValues(new Uint8Array(40))
        const sig = signMessage(alg, key.exportPrivateKey(), message, prepareNonce(alg))
        expect(BigInt(`0x${sig.subarray(32).toHex()}`) <= halfOrder).toBe(true)
        expect(verifySignature(key.did(), message, sig)).toBe(true)
      }
    })
  }

  test('importKeypair picks the curve from the JWT alg', () => {
    const priv = Secp256k1Keypair.create().exportPrivateKey()
    expect(importKeypair('ES256K', priv).jwtAlg).toBe('ES256K')
    expect(importKeypair('ES256', priv).jwtAlg).toBe('ES256')
  })

  test('exportPrivateKey and publicKeyBytes return copies', () => {
    const key = Secp256k1Keypair.create()
    const did = key.did()
    key.exportPrivateKey().fill(0)
    key.publicKeyBytes().fill(0)
    expect(Secp256k1Keypair.import(key.exportPrivateKey()).did()).toBe(did)
  })

  const badKeys: [string, Uint8Array | string][] = [
    ['zero', new Uint8Array(32)],
    ['too short', new Uint8Array(31).fill(1)],
    ['too long', new Uint8Array(33).fill(1)],
    ['above the curve order', new Uint8Array(32).fill(0xff)],
    ['non-hex text', 'not hex at all'],
    ['odd-length hex', 'abc'],
  ]
  for (const [name, key] of badKeys) {
    test(`rejects a private key that is ${name}`, () => {
      expect(() => Secp256k1Keypair.import(key)).toThrow(InvalidKeyError)
      expect(() => P256Keypair.import(key)).toThrow(InvalidKeyError)
    })
  }
})

describe('did:key and multikey', () => {
  test('formats uncompressed keys in compressed form', () => {
    for (const key of [Secp256k1Keypair.create(), P256Keypair.create()]) {
      const uncompressed = decompressPublicKey(key.jwtAlg, key.publicKeyBytes())
      expect(uncompressed.length).toBe(65)
      expect(formatDidKey(key.jwtAlg, uncompressed)).toBe(key.did())
      expect(parseMultikey(formatMultikey(key.jwtAlg, uncompressed)).publicKey).toEqual(key.publicKeyBytes())
    }
  })

  test('parses a did:key whose multikey holds an uncompressed point', () => {
    const key = P256Keypair.create()
    const bytes = new Uint8Array([0x80, 0x24, ...decompressPublicKey('ES256', key.publicKeyBytes())])
    expect(parseDidKey(`did:key:${base58btc.encode(bytes)}`).publicKey).toEqual(key.publicKeyBytes())
  })

  const badDids = [
    'did:plc:abc',
    'did:key:',
    'did:key:Q3shqwJEJyMBsBXCWyCBpUBMqxcon9oHB7mCvx4sSpMdLJwc',
    'did:key:z0OIl',
    `did:key:${base58btc.encode(new Uint8Array([0xed, 0x01, ...new Uint8Array(32)]))}`,
    `did:key:${base58btc.encode(new Uint8Array([0xe7, 0x01, 0x02, ...new Uint8Array(32)]))}`,
    `did:key:${base58btc.encode(new Uint8Array([0xe7, 0x01, 0x02, 0x03]))}`,
  ]
  for (const did of badDids) {
    test(`rejects malformed did:key ${did.slice(0, 40)}`, () => {
      expect(() => parseDidKey(did)).toThrow(InvalidKeyError)
      expect(() => verifySignature(did, msg, new Uint8Array(64))).toThrow(InvalidKeyError)
    })
  }

  test('rejects unknown verification method suites', () => {
    expect(() =>
      didKeyFromVerificationMethod({ type: 'Ed25519VerificationKey2020', publicKeyMultibase: 'z1' }),
    ).toThrow(InvalidKeyError)
  })

  test('verifySignatureWithKey returns false for an unusable key', () => {
    expect(verifySignatureWithKey('ES256K', new Uint8Array(33), msg, new Uint8Array(64))).toBe(false)
  })
})

describe('cross-check with @atproto/crypto', () => {
  const pairs = [
    { ours: Secp256k1Keypair, theirs: atprotoCrypto.Secp256k1Keypair },
    { ours: P256Keypair, theirs: atprotoCrypto.P256Keypair },
  ]
  for (const { ours, theirs } of pairs) {
    test(`${ours.name}: same did:key, same signatures, each verifies the other's`, async () => {
      const key = ours.create()
      const ref = await theirs.import(key.exportPrivateKey())
      expect(key.did()).toBe(ref.did())
      const ourSig = key.sign(msg)
      const refSig = await ref.sign(msg)
      expect(ourSig).toEqual(refSig)
      expect(await atprotoCrypto.verifySignature(key.did(), msg, ourSig)).toBe(true)
      expect(verifySignature(ref.did(), msg, refSig)).toBe(true)
      expect(parseDidKey(key.did()).publicKey).toEqual(ref.publicKeyBytes())
    })
  }

  test('agrees on fixture verdicts with the reference verifier', async () => {
    for (const f of signatureFixtures) {
      const message = b64(f.messageBase64)
      const sig = b64(f.signatureBase64)
      const theirs = await atprotoCrypto.verifySignature(f.publicKeyDid, message, sig).catch(() => false)
      expect(verifySignature(f.publicKeyDid, message, sig)).toBe(theirs)
    }
  })
})
