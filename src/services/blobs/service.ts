/**
 * Blobs of an account: uploads (streamed to the store's temp area while hashed and sniffed),
 * downloads, the listings, and what the repo write path needs to tie blobs to records.
 * Lifecycle (blob spec, "Blob Lifecycle"; docs/REPOSITORY.md): an upload is temporary until a
 * committed record references it. Before the write transaction the store makes referenced
 * temporary uploads permanent (`prepareForWrite`, async); inside it the rows are checked and
 * flipped (`attachInTx`), and after the commit the temp copies are removed. A blob whose last
 * record is gone is marked unreferenced; the sweep (sweep.ts) deletes those and stale uploads.
 * A blob the admin took down (docs/ADMIN.md) is not served, and no record written from then on
 * may reference it (BlobNotFound, as the reference).
 */
import { type BlobRef, createBlobRef, type FoundBlobRef } from '../../core/blob-ref.ts'
import { type CID, cidForRawDigest, parseCid } from '../../core/cid.ts'
import type { Logger } from '../../lib/logger.ts'
import { type BlobStore, type ByteRange, TempBlobMissingError } from '../../storage/blob-store/index.ts'
import { TakedownStore } from '../../storage/moderation/index.ts'
import type { BlobRow, RepoStorage } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { SNIFF_BYTES, sniffMimeType } from './sniff.ts'
import { BlobSweeper, type BlobSweepOptions } from './sweep.ts'

/** Temporary uploads made permanent for one write, by blob CID. */
export type PreparedBlobs = ReadonlyMap<string, string>

export interface StoredBlob {
  readonly mimeType: string
  readonly size: number
  readonly stream: ReadableStream<Uint8Array>
}

export class BlobService {
  readonly sweeper: BlobSweeper
  private readonly takedowns: TakedownStore

  constructor(
    private readonly storage: RepoStorage,
    readonly store: BlobStore,
    private readonly logger: Logger,
    sweep: BlobSweepOptions = {},
  ) {
    this.sweeper = new BlobSweeper(storage, store, logger, sweep)
    this.takedowns = new TakedownStore(storage.db)
  }

  /** Stores an upload and returns its blob ref (the sniffed MIME type, else the declared one). */
  async upload(did: string, declaredType: string, body: ReadableStream<Uint8Array>): Promise<BlobRef> {
    const head = captureHead(SNIFF_BYTES)
    const temp = await this.store.putTemp(body.pipeThrough(head.transform))
    const cid = cidForRawDigest(temp.sha256)
    const mimeType = sniffMimeType(head.bytes()) ?? declaredType
    const { ref, unusedTempKey, referenced } = this.storage.db.transaction(() => {
      const existing = this.storage.blobs.get(did, cid.toString())
      if (existing && isServable(existing)) {
        return { ref: createBlobRef(cid, existing.mimeType, existing.size), unusedTempKey: temp.key }
      }
      const createdAt = new Date().toISOString()
      this.storage.blobs.putTemp({
        did,
        cid: cid.toString(),
        mimeType,
        size: temp.size,
        tempKey: temp.key,
        createdAt,
      })
      const referenced = this.storage.recordBlobs.isReferenced(did, cid.toString())
      return { ref: createBlobRef(cid, mimeType, temp.size), unusedTempKey: existing?.tempKey, referenced }
    })
    if (unusedTempKey) await this.store.deleteTemp(unusedTempKey)
    // A record already points at it (an imported repo): it is permanent at once.
    if (referenced) await this.makePermanentNow(did, cid, temp.key)
    return ref
  }

  /** Before a write transaction: makes the temporary uploads among `cids` permanent in the store. */
  async prepareForWrite(did: string, cids: Iterable<CID>): Promise<PreparedBlobs> {
    const linked = new Map<string, string>()
    for (const cid of cids) {
      const key = cid.toString()
      const tempKey = this.storage.blobs.get(did, key)?.tempKey
      if (!tempKey || linked.has(key)) continue
      try {
        await this.store.makePermanent(did, cid, tempKey)
      } catch (err) {
        if (err instanceof TempBlobMissingError) continue // swept meanwhile: attachInTx reports it
        throw err
      }
      linked.set(key, tempKey)
    }
    return linked
  }

  /** Inside the write transaction: checks a record's blob refs and ties them to the record. */
  attachInTx(
    did: string,
    collection: string,
    rkey: string,
    refs: readonly FoundBlobRef[],
    prepared: PreparedBlobs,
  ): void {
    for (const ref of refs) {
      const cid = ref.cid.toString()
      const row = this.storage.blobs.get(did, cid)
      const missing = !row || (row.tempKey !== null && !prepared.has(cid))
      if (missing || this.takedowns.isBlobTakenDown(did, cid)) {
        throw new InvalidRequestError(`Could not find blob: ${cid}`, 'BlobNotFound')
      }
      checkRef(ref, row)
      if (row.tempKey !== null || row.unreferencedSince !== null) this.storage.blobs.markPermanent(did, cid)
    }
    this.storage.recordBlobs.add(did, collection, rkey, new Set(refs.map((ref) => ref.cid.toString())))
  }

  /** Inside the write transaction: drops a record's blob refs; returns the blob CIDs it had. */
  detachInTx(did: string, collection: string, rkey: string): string[] {
    return this.storage.recordBlobs.removeRecord(did, collection, rkey)
  }

  /** Inside the write transaction, after all attaches: marks blobs no record refers to anymore. */
  markUnreferencedInTx(did: string, cids: Iterable<string>): void {
    const now = new Date().toISOString()
    for (const cid of new Set(cids)) {
      if (!this.storage.recordBlobs.isReferenced(did, cid)) this.storage.blobs.markUnreferenced(did, cid, now)
    }
  }

  /** After the write committed: the temp copies of blobs made permanent are no longer needed. */
  async afterCommit(prepared: PreparedBlobs): Promise<void> {
    for (const tempKey of prepared.values()) {
      await this.store
        .deleteTemp(tempKey)
        .catch((err) => this.logger.warn('could not delete temp blob', { err }))
    }
  }

  /** A permanent, referenced blob of the account, not taken down; throws BlobNotFound otherwise. */
  async get(did: string, cid: CID, range?: ByteRange): Promise<StoredBlob> {
    const row = this.servableRow(did, cid)
    const stream = row ? await this.store.get(did, cid, range) : null
    if (!row || !stream) throw new InvalidRequestError('Blob not found', 'BlobNotFound')
    return { mimeType: row.mimeType, size: row.size, stream }
  }

  /** Size and type of a servable blob (to answer a Range request before streaming). */
  describe(did: string, cid: CID): { mimeType: string; size: number } {
    const row = this.servableRow(did, cid)
    if (!row) throw new InvalidRequestError('Blob not found', 'BlobNotFound')
    return { mimeType: row.mimeType, size: row.size }
  }

  list(did: string, opts: { since?: string; cursor?: string; limit: number }): string[] {
    return this.storage.recordBlobs.list(did, opts)
  }

  listMissing(did: string, cursor: string | undefined, limit: number) {
    return this.storage.recordBlobs.missing(did, cursor, limit)
  }

  /** After an import: uploads the imported records reference become permanent. */
  async settleReferencedUploads(did: string): Promise<void> {
    for (const row of this.storage.blobs.referencedTemp(did)) {
      if (!row.tempKey) continue
      await this.makePermanentNow(did, parseCid(row.cid), row.tempKey).catch((err) => {
        if (!(err instanceof TempBlobMissingError)) throw err
      })
    }
  }

  /** Inside the account deletion's transaction: every blob row goes; the files after commit. */
  deleteAccountBlobsInTx(did: string): void {
    for (const row of this.storage.blobs.forAccount(did)) this.storage.blobs.deleteAndQueue(row)
    // A microtask runs after the synchronous transaction has ended; if it rolled back, the queue
    // is empty again and the drain does nothing.
    queueMicrotask(() => {
      this.sweeper.drainDeletions().catch((err) => this.logger.error('blob deletion failed', { err }))
    })
  }

  private servableRow(did: string, cid: CID): BlobRow | undefined {
    const key = cid.toString()
    const row = this.storage.blobs.get(did, key)
    return row && isServable(row) && !this.takedowns.isBlobTakenDown(did, key) ? row : undefined
  }

  private async makePermanentNow(did: string, cid: CID, tempKey: string): Promise<void> {
    await this.store.makePermanent(did, cid, tempKey)
    const done = this.storage.db.transaction(() => {
      if (this.storage.blobs.get(did, cid.toString())?.tempKey !== tempKey) return false
      this.storage.blobs.markPermanent(did, cid.toString())
      return true
    })
    if (done) await this.store.deleteTemp(tempKey)
  }
}

function isServable(row: BlobRow): boolean {
  return row.tempKey === null && row.unreferencedSince === null
}

/** The reference checks the MIME type; the size must match too, or lexicon maxSize checks mean nothing. */
function checkRef(ref: FoundBlobRef, row: BlobRow): void {
  if (ref.mimeType !== row.mimeType) {
    throw new InvalidRequestError(
      `Referenced Mimetype does not match stored blob. Expected: ${row.mimeType}, Got: ${ref.mimeType}`,
      'InvalidMimeType',
    )
  }
  if (ref.size !== row.size) {
    throw new InvalidRequestError(
      `Referenced size does not match stored blob. Expected: ${row.size}, Got: ${ref.size}`,
      'InvalidBlob',
    )
  }
}

/** A pass-through stream that keeps a copy of the first `limit` bytes. */
function captureHead(limit: number): {
  transform: TransformStream<Uint8Array, Uint8Array>
  bytes(): Uint8Array
} {
  const head = new Uint8Array(limit)
  let filled = 0
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (filled < limit) {
        const take = Math.min(limit - filled, chunk.byteLength)
        head.set(chunk.subarray(0, take), filled)
        filled += take
      }
      controller.enqueue(chunk)
    },
  })
  return { transform, bytes: () => head.subarray(0, filled) }
}
