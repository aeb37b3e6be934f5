/**
 * Repository commit objects, version 3: build, sign, verify, encode, decode.
 * Spec: repository "Commit Objects" and "CID Formats".
 *
 * The signature covers the DAG-CBOR encoding of the commit *without* `sig`; the commit's CID is
 * the hash of the encoding *with* it. `prev` must be present (virtually always null). The curve
 * and key are not part of the commit, so signing and verification go through caller-supplied
 * functions that own the hashing (sha-256) and low-S rules of atproto signatures.
 */
import { decodeCbor, encodeBlock, encodeCbor } from '../cbor.ts'
import type { CID } from '../cid.ts'
import { asBlessedCborCid } from '../mst/index.ts'
import { isValidDid } from '../syntax/did.ts'
import { isValidTid } from '../syntax/tid.ts'

export interface UnsignedCommit {
  readonly did: string
  readonly version: 3
  /** Root of the record MST. */
  readonly data: CID
  /** TID of this revision; increases with every commit. */
  readonly rev: string
  /** Kept for v2 compatibility; we always write null, decoding accepts a link too. */
  readonly prev: CID | null
}

export interface Commit extends UnsignedCommit {
  readonly sig: Uint8Array
}

/** Signs a message (it hashes the message with sha-256 itself, per atproto signatures). */
export interface CommitSigner {
  sign(message: Uint8Array): Uint8Array
}

export class InvalidCommitError extends Error {
  override name = 'InvalidCommitError'
}

const COMMIT_FIELDS = ['data', 'did', 'prev', 'rev', 'sig', 'version']

/** The bytes a commit signature covers. */
export function unsignedCommitBytes(commit: UnsignedCommit): Uint8Array {
  const { did, version, data, rev, prev } = commit
  return encodeCbor({ did, version, data, rev, prev })
}

/** Signs a commit; throws InvalidCommitError when its did or rev is malformed. */
export function signCommit(unsigned: UnsignedCommit, signer: CommitSigner): Commit {
  const { did, version, data, rev, prev } = unsigned
  checkDid(did)
  checkRev(rev)
  return { did, version, data, rev, prev, sig: signer.sign(unsignedCommitBytes(unsigned)) }
}

export function verifyCommitSignature(
  commit: Commit,
  verify: (message: Uint8Array, sig: Uint8Array) => boolean,
): boolean {
  return verify(unsignedCommitBytes(commit), commit.sig)
}

/** The signed commit's block: its DAG-CBOR bytes and CID. */
export function encodeCommit(commit: Commit): { cid: CID; bytes: Uint8Array } {
  const { did, version, data, rev, prev, sig } = commit
  return encodeBlock({ did, version, data, rev, prev, sig })
}

/** Parses and validates a signed v3 commit; throws InvalidCommitError (or CborError). */
export function decodeCommit(bytes: Uint8Array): Commit {
  const value = decodeCbor<Record<string, unknown>>(bytes)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidCommitError('commit is not a map')
  }
  const fields = Object.keys(value).sort()
  if (fields.join() !== COMMIT_FIELDS.join()) {
    throw new InvalidCommitError(`commit fields must be exactly ${COMMIT_FIELDS.join(', ')}`)
  }
  const { did, version, data, rev, prev, sig } = value
  if (version !== 3) throw new InvalidCommitError(`unsupported commit version: ${String(version)}`)
  checkDid(did)
  checkRev(rev)
  if (!(sig instanceof Uint8Array)) throw new InvalidCommitError('commit sig is not bytes')
  return {
    did,
    version,
    data: blessedLink(data, 'data'),
    rev,
    prev: prev === null ? null : blessedLink(prev, 'prev'),
    sig,
  }
}

function checkDid(did: unknown): asserts did is string {
  if (typeof did !== 'string' || !isValidDid(did))
    throw new InvalidCommitError('commit did is not a valid DID')
}

function checkRev(rev: unknown): asserts rev is string {
  if (typeof rev !== 'string' || !isValidTid(rev)) throw new InvalidCommitError('commit rev is not a TID')
}

function blessedLink(value: unknown, field: string): CID {
  const cid = asBlessedCborCid(value)
  if (!cid) throw new InvalidCommitError(`commit ${field} is not a dag-cbor sha-256 CID link`)
  return cid
}
