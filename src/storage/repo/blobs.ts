/**
 * Blob metadata rows and the deletion queue. A row is temporary while `temp_key` is set (the
 * upload sits in the blob store's temp area); permanent once a committed record referenced it.
 * Deleting a blob is two steps so a crash cannot strand a file: the row is deleted and a queue
 * entry added in one transaction, then the file is removed and the entry dropped.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface BlobRow {
  readonly did: string
  readonly cid: string
  readonly mimeType: string
  readonly size: number
  readonly tempKey: string | null
  readonly createdAt: string
  readonly unreferencedSince: string | null
}

export interface QueuedDeletion {
  readonly id: number
  readonly did: string
  readonly cid: string
  readonly tempKey: string | null
}

interface Row {
  did: string
  cid: string
  mime_type: string
  size: number
  temp_key: string | null
  created_at: string
  unreferenced_since: string | null
}

const COLUMNS = 'did, cid, mime_type, size, temp_key, created_at, unreferenced_since'

export class BlobRows {
  private readonly selectOne: Statement<Row, [string, string]>
  private readonly selectForDid: Statement<Row, [string]>
  private readonly upsertTemp: Statement<unknown, [string, string, string, number, string, string]>
  private readonly setPermanent: Statement<unknown, [string, string]>
  private readonly setUnreferenced: Statement<unknown, [string, string, string]>
  private readonly selectExpiredTemp: Statement<Row, [string, number]>
  private readonly selectExpiredUnreferenced: Statement<Row, [string, number]>
  private readonly remove: Statement<unknown, [string, string]>
  private readonly setUnreferencedAll: Statement<unknown, [string, string]>
  private readonly clearUnreferencedAll: Statement<unknown, [string]>
  private readonly selectReferencedTemp: Statement<Row, [string]>
  private readonly enqueue: Statement<unknown, [string, string, string | null]>
  private readonly selectQueue: Statement<
    { id: number; did: string; cid: string; temp_key: string | null },
    [number]
  >
  private readonly dequeue: Statement<unknown, [number]>

  constructor(db: Db) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM blob WHERE did = ? AND cid = ?`)
    this.selectForDid = db.prepare(`SELECT ${COLUMNS} FROM blob WHERE did = ?`)
    this.upsertTemp = db.prepare(`
      INSERT INTO blob (did, cid, mime_type, size, temp_key, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (did, cid) DO UPDATE SET mime_type = excluded.mime_type, size = excluded.size,
        temp_key = excluded.temp_key, created_at = excluded.created_at, unreferenced_since = NULL
      WHERE blob.temp_key IS NOT NULL OR blob.unreferenced_since IS NOT NULL
    `)
    this.setPermanent = db.prepare(
      'UPDATE blob SET temp_key = NULL, unreferenced_since = NULL WHERE did = ? AND cid = ?',
    )
    this.setUnreferenced = db.prepare(
      'UPDATE blob SET unreferenced_since = ? WHERE did = ? AND cid = ? AND temp_key IS NULL',
    )
    this.selectExpiredTemp = db.prepare(
      `SELECT ${COLUMNS} FROM blob WHERE temp_key IS NOT NULL AND created_at < ? LIMIT ?`,
    )
    this.selectExpiredUnreferenced = db.prepare(
      `SELECT ${COLUMNS} FROM blob WHERE unreferenced_since IS NOT NULL AND unreferenced_since < ? LIMIT ?`,
    )
    this.remove = db.prepare('DELETE FROM blob WHERE did = ? AND cid = ?')
    const referenced =
      'EXISTS (SELECT 1 FROM record_blob rb WHERE rb.did = blob.did AND rb.blob_cid = blob.cid)'
    this.setUnreferencedAll = db.prepare(`
      UPDATE blob SET unreferenced_since = ?1 WHERE did = ?2 AND temp_key IS NULL
        AND unreferenced_since IS NULL AND NOT ${referenced}
    `)
    this.clearUnreferencedAll = db.prepare(
      `UPDATE blob SET unreferenced_since = NULL WHERE did = ? AND unreferenced_since IS NOT NULL AND ${referenced}`,
    )
    this.selectReferencedTemp = db.prepare(
      `SELECT ${COLUMNS} FROM blob WHERE did = ? AND temp_key IS NOT NULL AND ${referenced}`,
    )
    this.enqueue = db.prepare('INSERT INTO blob_deletion (did, cid, temp_key) VALUES (?, ?, ?)')
    this.selectQueue = db.prepare('SELECT id, did, cid, temp_key FROM blob_deletion ORDER BY id LIMIT ?')
    this.dequeue = db.prepare('DELETE FROM blob_deletion WHERE id = ?')
  }

  get(did: string, cid: string): BlobRow | undefined {
    const row = this.selectOne.get(did, cid)
    return row ? toBlobRow(row) : undefined
  }

  forAccount(did: string): BlobRow[] {
    return this.selectForDid.all(did).map(toBlobRow)
  }

  /**
   * Records a temporary upload. It replaces an older upload of the same bytes, and a permanent
   * blob no record uses anymore (which then waits for a record like any upload); a permanent
   * blob in use is left untouched.
   */
  putTemp(row: Omit<BlobRow, 'unreferencedSince' | 'tempKey'> & { tempKey: string }): void {
    this.upsertTemp.run(row.did, row.cid, row.mimeType, row.size, row.tempKey, row.createdAt)
  }

  /** The blob is referenced by a committed record: permanent, and not due for deletion. */
  markPermanent(did: string, cid: string): void {
    this.setPermanent.run(did, cid)
  }

  /** The last record referencing a permanent blob is gone. */
  markUnreferenced(did: string, cid: string, since: string): void {
    this.setUnreferenced.run(since, did, cid)
  }

  /** After the record index was rebuilt (an import): every blob's reference mark made right. */
  refreshReferences(did: string, now: string): void {
    this.setUnreferencedAll.run(now, did)
    this.clearUnreferencedAll.run(did)
  }

  /** Temporary uploads some record already references (uploaded before an import). */
  referencedTemp(did: string): BlobRow[] {
    return this.selectReferencedTemp.all(did).map(toBlobRow)
  }

  expiredTemp(before: string, limit: number): BlobRow[] {
    return this.selectExpiredTemp.all(before, limit).map(toBlobRow)
  }

  expiredUnreferenced(before: string, limit: number): BlobRow[] {
    return this.selectExpiredUnreferenced.all(before, limit).map(toBlobRow)
  }

  /** Deletes the row and queues its file for removal (call inside a transaction). */
  deleteAndQueue(row: BlobRow): void {
    this.remove.run(row.did, row.cid)
    this.enqueue.run(row.did, row.cid, row.tempKey)
  }

  queuedDeletions(limit: number): QueuedDeletion[] {
    return this.selectQueue
      .all(limit)
      .map((row) => ({ id: row.id, did: row.did, cid: row.cid, tempKey: row.temp_key }))
  }

  finishDeletion(id: number): void {
    this.dequeue.run(id)
  }
}

function toBlobRow(row: Row): BlobRow {
  return {
    did: row.did,
    cid: row.cid,
    mimeType: row.mime_type,
    size: row.size,
    tempKey: row.temp_key,
    createdAt: row.created_at,
    unreferencedSince: row.unreferenced_since,
  }
}
