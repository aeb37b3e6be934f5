/**
 * Content identifiers (CIDv1, sha2-256) as atproto uses them.
 * Spec: data-model "Link and CID Formats". Records and MST nodes use the dag-cbor codec (0x71);
 * blobs use raw (0x55). Hashing uses Bun's native SHA-256 synchronously, so a whole commit can be
 * computed inside one synchronous database transaction.
 */
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

export { CID }

export const DAG_CBOR_CODEC = 0x71
export const RAW_CODEC = 0x55
export const SHA256_CODE = 0x12

export function sha256(bytes: Uint8Array): Uint8Array {
  return Bun.SHA256.hash(bytes) as Uint8Array
}

/** CID of already-encoded DAG-CBOR bytes. */
export function cidForCbor(bytes: Uint8Array): CID {
  return CID.createV1(DAG_CBOR_CODEC, Digest.create(SHA256_CODE, sha256(bytes)))
}

/** CID of raw bytes (blobs). */
export function cidForRaw(bytes: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, Digest.create(SHA256_CODE, sha256(bytes)))
}

/** CID for a precomputed sha256 digest (streamed blob uploads hash while writing). */
export function cidForRawDigest(digest: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, Digest.create(SHA256_CODE, digest))
}

/**
 * A compact map key for a CID: its binary form as a latin-1 string. Much cheaper than the base32
 * `toString()` on hot paths (block maps during a commit); not for display.
 */
export function cidKey(cid: CID): string {
  return String.fromCharCode.apply(null, cid.bytes as unknown as number[])
}

export class InvalidCidError extends Error {
  override name = 'InvalidCidError'
}

/** Parses a CID string; throws InvalidCidError on anything malformed. */
export function parseCid(s: string): CID {
  try {
    return CID.parse(s)
  } catch {
    throw new InvalidCidError(`invalid CID: ${s.slice(0, 100)}`)
  }
}

export function cidFromBytes(bytes: Uint8Array): CID {
  try {
    return CID.decode(bytes)
  } catch {
    throw new InvalidCidError('invalid binary CID')
  }
}
