/**
 * The one place that calls @noble/curves: ECDSA over k256 (ES256K) and p256 (ES256).
 * Spec: cryptography "ECDSA Signature Malleability". atproto signs sha256(message) and requires
 * low-S, compact (r || s, 64 bytes) signatures.
 * Tricky bits: noble v2 hashes the message itself unless told `prehash: false`; we hash with
 * Bun's native SHA-256 and pass every option explicitly so no library default decides anything.
 * Signing is deterministic (RFC 6979) by default, so our signatures equal the reference
 * implementation's. The RFC 6979 nonce is drawn from an HMAC-SHA256 DRBG that runs about ten HMACs
 * per signature; noble computes those in JavaScript by default, so the curves are built with Bun's
 * native HMAC.
 * Almost all of a signature's cost is k·G, which does not depend on the message: `prepareNonce`
 * does that part ahead of time (from a random k, as plain ECDSA allows), and `signMessage` given
 * such a nonce only has s = k⁻¹(z + r·d) left. A prepared nonce must be used once, then dropped.
 */
import { ecdsa } from '@noble/curves/abstract/weierstrass.js'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { sha256 } from '../cid.ts'

export type JwtAlg = 'ES256K' | 'ES256'

export const JWT_ALGS: readonly JwtAlg[] = ['ES256K', 'ES256']

/** A private key, public key or did:key that cannot be used. */
export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError'
}

/** HMAC-SHA256 for the nonce DRBG, as a plain Uint8Array (noble copies outputs with `slice`). */
function nativeHmacSha256(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const mac = new Bun.CryptoHasher('sha256', key).update(msg).digest()
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength)
}

// The hash given here only serves noble's prehash option, which every call below turns off.
const CURVES = {
  ES256K: ecdsa(secp256k1.Point, nobleSha256, { hmac: nativeHmacSha256 }),
  ES256: ecdsa(p256.Point, nobleSha256, { hmac: nativeHmacSha256 }),
} as const
const SIGNATURE_LENGTH = 64
const PRIVATE_KEY_LENGTH = 32

export function isJwtAlg(value: unknown): value is JwtAlg {
  return value === 'ES256K' || value === 'ES256'
}

/** The bytes of a prepared nonce: r = (k·G).x mod n, then k⁻¹ mod n, 32 bytes each. */
export const PREPARED_NONCE_LENGTH = 64

/** A fresh random nonce for one later `signMessage` (the expensive half of a signature). */
export function prepareNonce(jwtAlg: JwtAlg): Uint8Array {
  const { Point, utils } = CURVES[jwtAlg]
  const { Fn } = Point
  for (;;) {
    const k = Fn.fromBytes(utils.randomSecretKey())
    const r = Fn.create(Point.BASE.multiply(k).toAffine().x)
    if (Fn.is0(r)) continue
    const nonce = new Uint8Array(PREPARED_NONCE_LENGTH)
    nonce.set(Fn.toBytes(r))
    nonce.set(Fn.toBytes(Fn.inv(k)), 32)
    return nonce
  }
}

/**
 * Signs sha256(msg); returns a 64-byte compact low-S signature. With a prepared nonce (used here
 * once and never again) the signature is random instead of RFC 6979's, and as valid.
 */
export function signMessage(
  jwtAlg: JwtAlg,
  privateKey: Uint8Array,
  msg: Uint8Array,
  nonce?: Uint8Array,
): Uint8Array {
  const hash = sha256(msg)
  return (
    (nonce && signWithNonce(jwtAlg, privateKey, hash, nonce)) ?? signDeterministic(jwtAlg, privateKey, hash)
  )
}

function signWithNonce(
  jwtAlg: JwtAlg,
  privateKey: Uint8Array,
  hash: Uint8Array,
  nonce: Uint8Array,
): Uint8Array | undefined {
  const { Fn } = CURVES[jwtAlg].Point
  const r = Fn.fromBytes(nonce.subarray(0, 32))
  const kInv = Fn.fromBytes(nonce.subarray(32, PREPARED_NONCE_LENGTH))
  // Both curves' order is 256 bits, so the whole digest is the integer z (SEC 1, 4.1.3 step 5).
  const z = Fn.create(BigInt(`0x${hash.toHex()}`))
  const s = Fn.mul(kInv, Fn.add(z, Fn.mul(r, Fn.fromBytes(privateKey))))
  if (Fn.is0(s)) return undefined
  const signature = new Uint8Array(SIGNATURE_LENGTH)
  signature.set(nonce.subarray(0, 32))
  signature.set(Fn.toBytes(s > Fn.ORDER >> 1n ? Fn.neg(s) : s), 32)
  return signature
}

function signDeterministic(jwtAlg: JwtAlg, privateKey: Uint8Array, hash: Uint8Array): Uint8Array {
  return CURVES[jwtAlg].sign(hash, privateKey, {
    prehash: false,
    lowS: true,
    format: 'compact',
    extraEntropy: false,
  })
}

/**
 * Verifies a signature over sha256(msg). Strict mode (the default) accepts only 64-byte compact
 * low-S signatures; `allowMalleableSig` also accepts high-S and DER-encoded ones. Returns false
 * for any unusable signature or key instead of throwing.
 */
export function verifyMessage(
  jwtAlg: JwtAlg,
  publicKey: Uint8Array,
  msg: Uint8Array,
  sig: Uint8Array,
  allowMalleableSig = false,
): boolean {
  const compact = sig.length === SIGNATURE_LENGTH
  if (!compact && !allowMalleableSig) return false
  try {
    return CURVES[jwtAlg].verify(sig, sha256(msg), publicKey, {
      prehash: false,
      lowS: !allowMalleableSig,
      format: compact ? 'compact' : 'der',
    })
  } catch {
    return false
  }
}

/** Compressed (33-byte) public key of a private key. */
export function publicKeyOf(jwtAlg: JwtAlg, privateKey: Uint8Array): Uint8Array {
  return CURVES[jwtAlg].getPublicKey(privateKey, true)
}

/** Validates a private key's encoding and range; returns a private copy. */
export function checkPrivateKey(jwtAlg: JwtAlg, privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== PRIVATE_KEY_LENGTH || !CURVES[jwtAlg].utils.isValidSecretKey(privateKey)) {
    throw new InvalidKeyError(`invalid ${jwtAlg} private key`)
  }
  return Uint8Array.from(privateKey)
}

export function randomPrivateKey(jwtAlg: JwtAlg): Uint8Array {
  return CURVES[jwtAlg].utils.randomSecretKey()
}

/** Checks that bytes (compressed or uncompressed SEC1) are a point on the curve; returns the compressed form. */
export function compressPublicKey(jwtAlg: JwtAlg, publicKey: Uint8Array): Uint8Array {
  try {
    return CURVES[jwtAlg].Point.fromBytes(publicKey).toBytes(true)
  } catch {
    throw new InvalidKeyError(`invalid ${jwtAlg} public key (${publicKey.length} bytes)`)
  }
}

/** The uncompressed (65-byte) form of a valid public key, for JWKs and legacy formats. */
export function decompressPublicKey(jwtAlg: JwtAlg, publicKey: Uint8Array): Uint8Array {
  try {
    return CURVES[jwtAlg].Point.fromBytes(publicKey).toBytes(false)
  } catch {
    throw new InvalidKeyError(`invalid ${jwtAlg} public key (${publicKey.length} bytes)`)
  }
}
