/**
 * Public key encodings: multikey (`z` + base58btc(multicodec varint + compressed key)) and
 * `did:key:<multikey>`. Spec: cryptography "Public Key Encoding"; did "Public Keys".
 * Tricky bits: keys are always written compressed, but parsing also accepts uncompressed points
 * and the deprecated DID-document suites (EcdsaSecp256k1VerificationKey2019 and
 * EcdsaSecp256r1VerificationKey2019: multibase of the bare key, no codec) so old documents
 * still resolve to a did:key.
 */
import { base58btc } from 'multiformats/bases/base58'
import { compressPublicKey, InvalidKeyError, type JwtAlg } from './ecdsa.ts'

export const DID_KEY_PREFIX = 'did:key:'

/** Multicodec varints: secp256k1-pub (0xe7) and p256-pub (0x1200). */
const CODEC_PREFIXES: Record<JwtAlg, Uint8Array> = {
  ES256K: new Uint8Array([0xe7, 0x01]),
  ES256: new Uint8Array([0x80, 0x24]),
}

const LEGACY_SUITES: Record<string, JwtAlg> = {
  EcdsaSecp256k1VerificationKey2019: 'ES256K',
  EcdsaSecp256r1VerificationKey2019: 'ES256',
}

export interface ParsedKey {
  jwtAlg: JwtAlg
  /** Compressed SEC1 point (33 bytes). */
  publicKey: Uint8Array
}

/** Multikey string (`z...`) of a public key; the key may be given compressed or uncompressed. */
export function formatMultikey(jwtAlg: JwtAlg, publicKey: Uint8Array): string {
  const compressed = compressPublicKey(jwtAlg, publicKey)
  const prefix = CODEC_PREFIXES[jwtAlg]
  const bytes = new Uint8Array(prefix.length + compressed.length)
  bytes.set(prefix)
  bytes.set(compressed, prefix.length)
  return base58btc.encode(bytes)
}

/** Parses a multikey string; the returned key is validated and compressed. */
export function parseMultikey(multikey: string): ParsedKey {
  const bytes = decodeBase58btc(multikey)
  for (const [jwtAlg, prefix] of Object.entries(CODEC_PREFIXES) as [JwtAlg, Uint8Array][]) {
    if (bytes[0] === prefix[0] && bytes[1] === prefix[1]) {
      return { jwtAlg, publicKey: compressPublicKey(jwtAlg, bytes.subarray(prefix.length)) }
    }
  }
  throw new InvalidKeyError(`unsupported multikey type: ${multikey.slice(0, 60)}`)
}

export function formatDidKey(jwtAlg: JwtAlg, publicKey: Uint8Array): string {
  return DID_KEY_PREFIX + formatMultikey(jwtAlg, publicKey)
}

export function parseDidKey(did: string): ParsedKey {
  if (!did.startsWith(DID_KEY_PREFIX)) throw new InvalidKeyError(`not a did:key: ${did.slice(0, 60)}`)
  return parseMultikey(did.slice(DID_KEY_PREFIX.length))
}

/**
 * The did:key of a DID document verification method: `Multikey`, or one of the deprecated
 * suites whose `publicKeyMultibase` holds the bare key without a codec prefix.
 */
export function didKeyFromVerificationMethod(method: { type: string; publicKeyMultibase: string }): string {
  if (method.type === 'Multikey') {
    const { jwtAlg, publicKey } = parseMultikey(method.publicKeyMultibase)
    return formatDidKey(jwtAlg, publicKey)
  }
  const jwtAlg = LEGACY_SUITES[method.type]
  if (!jwtAlg) throw new InvalidKeyError(`unsupported verification method type: ${method.type.slice(0, 60)}`)
  return formatDidKey(jwtAlg, decodeBase58btc(method.publicKeyMultibase))
}

function decodeBase58btc(multibase: string): Uint8Array {
  try {
    return base58btc.decode(multibase)
  } catch {
    throw new InvalidKeyError(`not a base58btc multibase key: ${multibase.slice(0, 60)}`)
  }
}
