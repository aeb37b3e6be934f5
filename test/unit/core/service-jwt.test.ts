// Compact JWS for service auth, with the reference implementation (@atproto/xrpc-server,
// @atproto/crypto) as the other side.
import { describe, expect, test } from 'bun:test'
import * as atprotoCrypto from '@atproto/crypto'
import { createServiceJwt as refCreateServiceJwt, verifyJwt as refVerifyJwt } from '@atproto/xrpc-server'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { type Keypair, P256Keypair, Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import {
  decodeServiceJwt,
  encodeServiceJwt,
  JwtFormatError,
  MAX_JWT_LENGTH,
  type ServiceJwtPayload,
  verifyJwtSignature,
} from '../../../src/core/service-jwt.ts'

const k256 = Secp256k1Keypair.create()
const r256 = P256Keypair.create()
const claims: ServiceJwtPayload = {
  iss: 'did:plc:abc',
  aud: 'did:web:pds.test',
  exp: 2_000_000_000,
  jti: 'n1',
}
const b64url = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)).toBase64({ alphabet: 'base64url', omitPadding: true })

/** Replaces the signature part of a token. */
function withSignature(token: string, sig: Uint8Array): string {
  return `${token.slice(0, token.lastIndexOf('.'))}.${sig.toBase64({ alphabet: 'base64url', omitPadding: true })}`
}

describe('encode and verify', () => {
  for (const key of [k256, r256] as Keypair[]) {
    test(`a ${key.jwtAlg} token decodes and verifies against its key`, () => {
      const token = encodeServiceJwt({ ...claims, lxm: 'com.atproto.repo.uploadBlob' }, key)
      const jwt = decodeServiceJwt(token)
      expect(jwt.header).toEqual({ typ: 'JWT', alg: key.jwtAlg })
      expect(jwt.payload).toEqual({ ...claims, lxm: 'com.atproto.repo.uploadBlob' })
      expect(verifyJwtSignature(jwt, key.did())).toBe(true)
    })
  }

  test('another key, a tampered payload or an unparsable key do not verify', () => {
    const token = encodeServiceJwt(claims, k256)
    expect(verifyJwtSignature(decodeServiceJwt(token), Secp256k1Keypair.create().did())).toBe(false)
    const [h, , s] = token.split('.')
    const tampered = decodeServiceJwt(`${h}.${b64url({ ...claims, aud: 'did:web:evil.test' })}.${s}`)
    expect(verifyJwtSignature(tampered, k256.did())).toBe(false)
    expect(verifyJwtSignature(decodeServiceJwt(token), 'did:key:zBroken')).toBe(false)
  })

  test('the header alg must name the curve of the key', () => {
    const token = encodeServiceJwt(claims, k256)
    const [, p, s] = token.split('.')
    const relabelled = decodeServiceJwt(`${b64url({ typ: 'JWT', alg: 'ES256' })}.${p}.${s}`)
    expect(verifyJwtSignature(relabelled, k256.did())).toBe(false)
    const none = decodeServiceJwt(`${b64url({ alg: 'none' })}.${p}.${s}`)
    expect(verifyJwtSignature(none, k256.did())).toBe(false)
  })

  test('accepts a high-S signature (WebCrypto ES256 signers do not normalize) but not DER', () => {
    const token = encodeServiceJwt(claims, r256)
    const compact = decodeServiceJwt(token).signature
    const sig = p256.Signature.fromBytes(compact, 'compact')
    const highS = new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s)
    expect(
      verifyJwtSignature(decodeServiceJwt(withSignature(token, highS.toBytes('compact'))), r256.did()),
    ).toBe(true)
    expect(verifyJwtSignature(decodeServiceJwt(withSignature(token, sig.toBytes('der'))), r256.did())).toBe(
      false,
    )
  })

  test('extra header fields are signed along', () => {
    const token = encodeServiceJwt(claims, k256, { kid: '#atproto' })
    const jwt = decodeServiceJwt(token)
    expect(jwt.header.kid).toBe('#atproto')
    expect(verifyJwtSignature(jwt, k256.did())).toBe(true)
  })
})

describe('malformed tokens', () => {
  const header = b64url({ typ: 'JWT', alg: 'ES256K' })
  const sig = 'c2ln'
  const cases: [string, string][] = [
    ['two parts', `${header}.${b64url(claims)}`],
    ['four parts', `${header}.${b64url(claims)}.${sig}.x`],
    ['an empty part', `${header}..${sig}`],
    ['padding', `${header}.${b64url(claims)}=.${sig}`],
    ['standard base64 characters', `${header}.${b64url(claims)}+/.${sig}`],
    ['a payload that is not JSON', `${header}.${btoa('nope').replaceAll('=', '')}.${sig}`],
    ['a payload that is an array', `${header}.${b64url([claims])}.${sig}`],
    ['a header without alg', `${b64url({ typ: 'JWT' })}.${b64url(claims)}.${sig}`],
    ['no iss', `${header}.${b64url({ ...claims, iss: undefined })}.${sig}`],
    ['a numeric aud', `${header}.${b64url({ ...claims, aud: 1 })}.${sig}`],
    ['a string exp', `${header}.${b64url({ ...claims, exp: '2000000000' })}.${sig}`],
    ['a string iat', `${header}.${b64url({ ...claims, iat: 'now' })}.${sig}`],
    ['a numeric lxm', `${header}.${b64url({ ...claims, lxm: 5 })}.${sig}`],
    ['a numeric jti', `${header}.${b64url({ ...claims, jti: 5 })}.${sig}`],
    [
      'invalid UTF-8',
      `${header}.${new Uint8Array([0x7b, 0xff, 0x7d]).toBase64({ alphabet: 'base64url', omitPadding: true })}.${sig}`,
    ],
    ['an oversized token', `${header}.${'a'.repeat(MAX_JWT_LENGTH)}.${sig}`],
  ]
  for (const [name, token] of cases) {
    test(`rejects ${name}`, () => {
      expect(() => decodeServiceJwt(token)).toThrow(JwtFormatError)
    })
  }
})

describe('interop with the reference implementation', () => {
  test('our token passes @atproto/xrpc-server verifyJwt', async () => {
    const token = encodeServiceJwt(
      { ...claims, exp: Math.floor(Date.now() / 1000) + 60, lxm: 'app.bsky.feed.getFeed' },
      k256,
    )
    const payload = await refVerifyJwt(token, claims.aud, 'app.bsky.feed.getFeed', async () => k256.did())
    expect<string>(payload.iss).toBe(claims.iss)
  })

  test('a reference token verifies with ours', async () => {
    for (const refKey of [
      await atprotoCrypto.Secp256k1Keypair.create(),
      await atprotoCrypto.P256Keypair.create(),
    ]) {
      const token = await refCreateServiceJwt({
        iss: 'did:plc:abc',
        aud: claims.aud,
        lxm: 'x.y.z',
        keypair: refKey,
      })
      const jwt = decodeServiceJwt(token)
      expect(jwt.payload.lxm).toBe('x.y.z')
      expect(typeof jwt.payload.jti).toBe('string')
      expect(verifyJwtSignature(jwt, refKey.did())).toBe(true)
    }
  })

  test('our signature checks out with @atproto/crypto', async () => {
    const token = encodeServiceJwt(claims, k256)
    const jwt = decodeServiceJwt(token)
    expect(await atprotoCrypto.verifySignature(k256.did(), jwt.signingInput, jwt.signature)).toBe(true)
    expect(secp256k1.Signature.fromBytes(jwt.signature, 'compact').hasHighS()).toBe(false)
  })
})
