/**
 * The background blob sweep (docs/REPOSITORY.md, "Blob garbage collection"). It deletes
 * temporary uploads no record referenced within `tempGraceMs` (the blob spec asks for at least
 * an hour and recommends several), permanent blobs no record has used for `unreferencedGraceMs`,
 * and temp files no row knows about (an upload interrupted by a crash).
 * A deletion is a row removal plus a queue entry in one transaction, then the file removal, then
 * the entry's removal; the queue is drained at every sweep, so a crash in between only delays it.
 */

import { parseCid } from '../../core/cid.ts'
import type { Logger } from '../../lib/logger.ts'
import type { BlobStore } from '../../storage/blob-store/index.ts'
import type { RepoStorage } from '../../storage/repo/index.ts'

export const DEFAULT_TEMP_GRACE_MS = 6 * 60 * 60 * 1000
export const DEFAULT_UNREFERENCED_GRACE_MS = 60 * 60 * 1000
export const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60 * 1000
const BATCH = 200

export interface BlobSweepOptions {
  readonly tempGraceMs?: number
  readonly unreferencedGraceMs?: number
}

export interface SweepResult {
  /** Blob rows deleted (expired uploads and unreferenced blobs). */
  readonly blobs: number
  /** Stray temp files removed. */
  readonly tempFiles: number
}

export class BlobSweeper {
  private readonly tempGraceMs: number
  private readonly unreferencedGraceMs: number
  private draining: Promise<void> | null = null
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly storage: RepoStorage,
    private readonly store: BlobStore,
    private readonly logger: Logger,
    opts: BlobSweepOptions = {},
  ) {
    this.tempGraceMs = opts.tempGraceMs ?? DEFAULT_TEMP_GRACE_MS
    this.unreferencedGraceMs = opts.unreferencedGraceMs ?? DEFAULT_UNREFERENCED_GRACE_MS
  }

  /** One pass; `now` is injectable so tests need not wait for the grace periods. */
  async sweep(now: Date = new Date()): Promise<SweepResult> {
    await this.drainDeletions()
    const tempBefore = new Date(now.getTime() - this.tempGraceMs).toISOString()
    const unreferencedBefore = new Date(now.getTime() - this.unreferencedGraceMs).toISOString()
    let blobs = 0
    for (;;) {
      const deleted = this.storage.db.transaction(() => {
        const rows = [
          ...this.storage.blobs.expiredTemp(tempBefore, BATCH),
          ...this.storage.blobs.expiredUnreferenced(unreferencedBefore, BATCH),
        ]
        for (const row of rows) this.storage.blobs.deleteAndQueue(row)
        return rows.length
      })
      blobs += deleted
      await this.drainDeletions()
      if (deleted === 0) break
    }
    const tempFiles = await this.store.sweepTemp(new Date(now.getTime() - this.tempGraceMs))
    return { blobs, tempFiles }
  }

  /** Removes the files of deleted blob rows (single-flight; safe to call any time). */
  drainDeletions(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = null
    })
    return this.draining
  }

  /** Sweeps every `intervalMs` in the background (the timer does not keep the process alive). */
  start(intervalMs = DEFAULT_SWEEP_INTERVAL_MS): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      this.sweep().catch((err) => this.logger.error('blob sweep failed', { err }))
    }, intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private async drain(): Promise<void> {
    for (;;) {
      const queued = this.storage.blobs.queuedDeletions(BATCH)
      for (const entry of queued) {
        if (entry.tempKey) await this.store.deleteTemp(entry.tempKey)
        // A permanent file may exist for a temp row too (made permanent by a write that then
        // failed); it is only removed while no permanent row claims it again.
        const current = this.storage.blobs.get(entry.did, entry.cid)
        if (current === undefined || current.tempKey !== null) {
          await this.store.delete(entry.did, parseCid(entry.cid))
        }
        this.storage.blobs.finishDeletion(entry.id)
      }
      if (queued.length < BATCH) return
    }
  }
}
