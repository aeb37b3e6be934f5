/**
 * Where blob bytes live, behind one interface so an S3-compatible store can replace the disk one.
 * Uploads land in a temporary area first (keyed by a random key) while they are hashed; a blob
 * becomes permanent, under its account and CID, when a committed record references it. The temp
 * copy is only removed after that commit, so a rolled-back write never loses an upload.
 */
import type { CID } from '../../core/cid.ts'

export interface TempBlob {
  /** Opaque key of the temporary copy. */
  readonly key: string
  readonly size: number
  readonly sha256: Uint8Array
}

/** Bytes [start, end) of a blob. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

export interface BlobStore {
  /** Streams the bytes into the temp area, hashing them; the stream's error (e.g. too large) is rethrown. */
  putTemp(stream: ReadableStream<Uint8Array>): Promise<TempBlob>
  /** Makes the temp copy available as the account's permanent blob; the temp copy stays until deleteTemp. */
  makePermanent(did: string, cid: CID, tempKey: string): Promise<void>
  /** The permanent blob's bytes (or a range of them); null when the store has no such blob. */
  get(did: string, cid: CID, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null>
  /** Removes a permanent blob; removing a missing one is not an error. */
  delete(did: string, cid: CID): Promise<void>
  /** Removes a temp copy; removing a missing one is not an error. */
  deleteTemp(key: string): Promise<void>
  /** Removes temp copies last written before `before` (uploads that crashed or were abandoned). */
  sweepTemp(before: Date): Promise<number>
}

/** The temp copy a blob should be made permanent from is gone (swept, or never written). */
export class TempBlobMissingError extends Error {
  override name = 'TempBlobMissingError'
}
