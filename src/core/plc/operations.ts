/**
 * did:plc operations: build, sign, verify, hash, and derive the DID.
 * Spec: https://web.plc.directory/spec/v0.1/did-plc "Operation Format", "DID Creation".
 * Tricky bits:
 * - the signature covers the DAG-CBOR of the operation without `sig`, and is written as base64url
 *   without padding;
 * - the DID is `did:plc:` + the first 24 characters of base32 (lower case, no padding) of
 *   sha256(DAG-CBOR of the *signed* genesis operation);
 * - `prev` is the CID (dag-cbor, sha-256) of the previous operation as the directory stored it,
 *   signature included.
 */
import { base32 } from 'multiformats/bases/base32'
import { encodeCbor } from '../cbor.ts'
import { type CID, cidForCbor, sha256 } from '../cid.ts'
import { parseDidKey } from '../crypto/did-key.ts'
import { InvalidKeyError } from '../crypto/ecdsa.ts'
import type { Keypair } from '../crypto/keypair.ts'
import { type VerifyOptions, verifySignature } from '../crypto/verify.ts'
import { isValidHandle, normalizeHandle } from '../syntax/handle.ts'
import {
  type AnyPlcOperation,
  ATPROTO_KEY_ID,
  ATPROTO_PDS_SERVICE,
  ATPROTO_PDS_TYPE,
  MAX_ROTATION_KEYS,
  type PlcDataOperation,
  type PlcOperation,
  PlcOperationError,
  type PlcService,
  type UnsignedAnyPlcOperation,
  type UnsignedPlcOperation,
  type UnsignedPlcTombstone,
} from './types.ts'

const DID_PLC_PREFIX = 'did:plc:'
const DID_PLC_HASH_LENGTH = 24
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** Signs an operation or tombstone with a rotation key (any existing `sig` is ignored). */
export function signOperation<T extends UnsignedAnyPlcOperation>(
  op: T,
  rotationKey: Keypair,
): T & { sig: string } {
  const { sig: _ignored, ...unsigned } = op as T & { sig?: unknown }
  const sig = rotationKey.sign(encodeCbor(unsigned))
  return { ...(unsigned as T), sig: sig.toBase64({ alphabet: 'base64url', omitPadding: true }) }
}

/**
 * Returns the first of `allowedKeys` (did:key strings) whose signature the operation carries, or
 * undefined. Unparsable keys never match.
 */
export function verifyOperationSignature(
  op: AnyPlcOperation,
  allowedKeys: readonly string[],
  opts?: VerifyOptions,
): string | undefined {
  const { sig, ...unsigned } = op
  const sigBytes = decodeSig(sig)
  if (sigBytes === undefined) return undefined
  const bytes = encodeCbor(unsigned)
  for (const key of allowedKeys) {
    try {
      if (verifySignature(key, bytes, sigBytes, opts)) return key
    } catch (err) {
      if (!(err instanceof InvalidKeyError)) throw err
    }
  }
  return undefined
}

/** CID of a signed operation: what the next operation's `prev` must be. */
export function cidForOp(op: AnyPlcOperation): CID {
  return cidForCbor(encodeCbor(op))
}

/** The DID a signed genesis operation creates. */
export function didForGenesisOp(op: PlcDataOperation): string {
  if (op.prev !== null) throw new PlcOperationError('a genesis operation must have a null prev')
  const hash = base32.baseEncode(sha256(encodeCbor(op)))
  return DID_PLC_PREFIX + hash.slice(0, DID_PLC_HASH_LENGTH)
}

export interface GenesisOpOptions {
  /** did:key of the repo signing key (`#atproto`). */
  signingKey: string
  /** did:key rotation keys, most powerful first. */
  rotationKeys: readonly string[]
  handle: string
  /** The PDS origin, e.g. https://pds.example.com. */
  pdsEndpoint: string
}

export function buildGenesisOp(opts: GenesisOpOptions): UnsignedPlcOperation {
  const op: UnsignedPlcOperation = {
    type: 'plc_operation',
    rotationKeys: [...opts.rotationKeys],
    verificationMethods: { [ATPROTO_KEY_ID]: opts.signingKey },
    alsoKnownAs: [handleUri(opts.handle)],
    services: { [ATPROTO_PDS_SERVICE]: pdsService(opts.pdsEndpoint) },
    prev: null,
  }
  checkOperationFields(op)
  return op
}

/**
 * What an update changes. The first four replace the field wholesale (as
 * com.atproto.identity.signPlcOperation does); `signingKey`, `handle` and `pdsEndpoint` then patch
 * only the atproto entries.
 */
export interface PlcOperationChanges {
  rotationKeys?: readonly string[]
  verificationMethods?: Readonly<Record<string, string>>
  alsoKnownAs?: readonly string[]
  services?: Readonly<Record<string, PlcService>>
  signingKey?: string
  handle?: string
  pdsEndpoint?: string
}

/** The unsigned successor of `lastOp` (the DID's current last operation) with `changes` applied. */
export function buildUpdateOp(lastOp: PlcDataOperation, changes: PlcOperationChanges): UnsignedPlcOperation {
  const base = normalizeOp(lastOp)
  const op: UnsignedPlcOperation = {
    type: 'plc_operation',
    rotationKeys: [...(changes.rotationKeys ?? base.rotationKeys)],
    verificationMethods: { ...(changes.verificationMethods ?? base.verificationMethods) },
    alsoKnownAs: [...(changes.alsoKnownAs ?? base.alsoKnownAs)],
    services: { ...(changes.services ?? base.services) },
    prev: cidForOp(lastOp).toString(),
  }
  if (changes.signingKey !== undefined) op.verificationMethods[ATPROTO_KEY_ID] = changes.signingKey
  if (changes.pdsEndpoint !== undefined) op.services[ATPROTO_PDS_SERVICE] = pdsService(changes.pdsEndpoint)
  if (changes.handle !== undefined) op.alsoKnownAs = replaceHandle(op.alsoKnownAs, changes.handle)
  checkOperationFields(op)
  return op
}

/** The unsigned tombstone that deactivates the DID whose last operation is `lastOp`. */
export function buildTombstone(lastOp: AnyPlcOperation): UnsignedPlcTombstone {
  if (lastOp.type === 'plc_tombstone') throw new PlcOperationError('the DID is already tombstoned')
  return { type: 'plc_tombstone', prev: cidForOp(lastOp).toString() }
}

/** A legacy `create` operation in the current format (same keys, handle and PDS). */
export function normalizeOp(op: PlcDataOperation): PlcOperation {
  if (op.type === 'plc_operation') return op
  return {
    type: 'plc_operation',
    rotationKeys: [op.recoveryKey, op.signingKey],
    verificationMethods: { [ATPROTO_KEY_ID]: op.signingKey },
    alsoKnownAs: [`at://${op.handle.replace(/^https?:\/\//, '')}`],
    services: {
      [ATPROTO_PDS_SERVICE]: {
        type: ATPROTO_PDS_TYPE,
        endpoint: /^https?:\/\//.test(op.service) ? op.service : `https://${op.service}`,
      },
    },
    prev: op.prev,
    sig: op.sig,
  }
}

/** The checks a directory applies to an operation's keys: 1-5 distinct rotation keys, all keys parsable. */
export function checkOperationFields(op: UnsignedPlcOperation): void {
  const { rotationKeys } = op
  if (rotationKeys.length < 1 || rotationKeys.length > MAX_ROTATION_KEYS) {
    throw new PlcOperationError(`an operation needs 1 to ${MAX_ROTATION_KEYS} rotation keys`)
  }
  if (new Set(rotationKeys).size !== rotationKeys.length) {
    throw new PlcOperationError('rotation keys must be distinct')
  }
  for (const key of [...rotationKeys, ...Object.values(op.verificationMethods)]) checkDidKey(key)
}

function decodeSig(sig: unknown): Uint8Array | undefined {
  if (typeof sig !== 'string' || !BASE64URL.test(sig)) return undefined
  try {
    return Uint8Array.fromBase64(sig, { alphabet: 'base64url' })
  } catch {
    return undefined // a length no base64 string can have
  }
}

function checkDidKey(key: string): void {
  try {
    parseDidKey(key)
  } catch (err) {
    if (!(err instanceof InvalidKeyError)) throw err
    throw new PlcOperationError(`unusable key ${JSON.stringify(key.slice(0, 80))}: ${err.message}`)
  }
}

function handleUri(handle: string): string {
  if (!isValidHandle(handle))
    throw new PlcOperationError(`invalid handle ${JSON.stringify(handle.slice(0, 80))}`)
  return `at://${normalizeHandle(handle)}`
}

/** Replaces the first `at://` entry (the handle), or puts the handle first when there is none. */
function replaceHandle(alsoKnownAs: string[], handle: string): string[] {
  const uri = handleUri(handle)
  const index = alsoKnownAs.findIndex((aka) => aka.startsWith('at://'))
  if (index < 0) return [uri, ...alsoKnownAs]
  return alsoKnownAs.with(index, uri)
}

function pdsService(endpoint: string): PlcService {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new PlcOperationError(`invalid PDS endpoint ${JSON.stringify(endpoint.slice(0, 80))}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PlcOperationError('the PDS endpoint must be an http(s) URL')
  }
  return { type: ATPROTO_PDS_TYPE, endpoint }
}
