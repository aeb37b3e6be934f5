/**
 * Signature verification against a did:key or a raw public key. Spec: cryptography.
 * Strict by default: only 64-byte compact low-S signatures verify (high-S and DER-encoded ones are
 * rejected as the interop fixtures require). A malformed did:key is an InvalidKeyError, not
 * `false`, so callers can tell a broken identity from a bad signature.
 */
import { parseDidKey } from './did-key.ts'
import { type JwtAlg, verifyMessage } from './ecdsa.ts'

export interface VerifyOptions {
  /** Also accept high-S and DER-encoded signatures (never for atproto data). */
  allowMalleableSig?: boolean
}

export function verifySignature(
  didKey: string,
  msg: Uint8Array,
  sig: Uint8Array,
  opts?: VerifyOptions,
): boolean {
  const { jwtAlg, publicKey } = parseDidKey(didKey)
  return verifyMessage(jwtAlg, publicKey, msg, sig, opts?.allowMalleableSig ?? false)
}

/** Verifies with a compressed or uncompressed SEC1 public key; false for an unusable key. */
export function verifySignatureWithKey(
  jwtAlg: JwtAlg,
  publicKey: Uint8Array,
  msg: Uint8Array,
  sig: Uint8Array,
  opts?: VerifyOptions,
): boolean {
  return verifyMessage(jwtAlg, publicKey, msg, sig, opts?.allowMalleableSig ?? false)
}
