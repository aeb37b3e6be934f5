/**
 * Which records reference which blobs (by blob CID text). A blob is kept while any record of its
 * repository refers to it; listBlobs and listMissingBlobs read from here.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface MissingBlobRow {
  readonly cid: string
  /** `collection/rkey` of one record that references it. */
  readonly path: string
}

export class RecordBlobs {
  private readonly insert: Statement<unknown, [string, string, string, string]>
  private readonly removeForRecord: Statement<{ blob_cid: string }, [string, string, string]>
  private readonly selectReferenced: Statement<{ one: number }, [string, string]>
  private readonly listAll: Statement<{ blob_cid: string }, [string, string, number]>
  private readonly listSince: Statement<{ blob_cid: string }, [string, string, string, number]>
  private readonly listMissing: Statement<{ blob_cid: string; path: string }, [string, string, number]>
  private readonly removeAll: Statement<unknown, [string]>
  private readonly countBlobs: Statement<{ expected: number; stored: number }, [string]>

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO record_blob (did, blob_cid, collection, rkey) VALUES (?, ?, ?, ?)',
    )
    this.removeForRecord = db.prepare(
      'DELETE FROM record_blob WHERE did = ? AND collection = ? AND rkey = ? RETURNING blob_cid',
    )
    this.selectReferenced = db.prepare(
      'SELECT 1 AS one FROM record_blob WHERE did = ? AND blob_cid = ? LIMIT 1',
    )
    this.listAll = db.prepare(`
      SELECT DISTINCT blob_cid FROM record_blob WHERE did = ? AND blob_cid > ?
      ORDER BY blob_cid LIMIT ?
    `)
    this.listSince = db.prepare(`
      SELECT DISTINCT rb.blob_cid FROM record_blob rb
      JOIN record r ON r.did = rb.did AND r.collection = rb.collection AND r.rkey = rb.rkey
      WHERE rb.did = ? AND r.rev > ? AND rb.blob_cid > ?
      ORDER BY rb.blob_cid LIMIT ?
    `)
    this.listMissing = db.prepare(`
      SELECT rb.blob_cid, min(rb.collection || '/' || rb.rkey) AS path FROM record_blob rb
      WHERE rb.did = ?1 AND rb.blob_cid > ?2
        AND NOT EXISTS (SELECT 1 FROM blob b WHERE b.did = ?1 AND b.cid = rb.blob_cid)
      GROUP BY rb.blob_cid ORDER BY rb.blob_cid LIMIT ?3
    `)
    this.removeAll = db.prepare('DELETE FROM record_blob WHERE did = ?')
    this.countBlobs = db.prepare(`
      SELECT count(*) AS expected,
        count(*) FILTER (WHERE EXISTS (
          SELECT 1 FROM blob b WHERE b.did = ?1 AND b.cid = r.blob_cid AND b.temp_key IS NULL
        )) AS stored
      FROM (SELECT DISTINCT blob_cid FROM record_blob WHERE did = ?1) r
    `)
  }

  add(did: string, collection: string, rkey: string, blobCids: Iterable<string>): void {
    for (const cid of blobCids) this.insert.run(did, cid, collection, rkey)
  }

  /** Drops a record's references; returns the blob CIDs it referenced. */
  removeRecord(did: string, collection: string, rkey: string): string[] {
    return this.removeForRecord.all(did, collection, rkey).map((row) => row.blob_cid)
  }

  isReferenced(did: string, blobCid: string): boolean {
    return this.selectReferenced.get(did, blobCid)?.one === 1
  }

  /** Referenced blob CIDs in order, after `cursor`, optionally only from records newer than `since`. */
  list(did: string, opts: { since?: string; cursor?: string; limit: number }): string[] {
    const rows =
      opts.since === undefined
        ? this.listAll.all(did, opts.cursor ?? '', opts.limit)
        : this.listSince.all(did, opts.since, opts.cursor ?? '', opts.limit)
    return rows.map((row) => row.blob_cid)
  }

  /** Referenced blobs this server has no copy of (after an import), in CID order. */
  missing(did: string, cursor: string | undefined, limit: number): MissingBlobRow[] {
    return this.listMissing
      .all(did, cursor ?? '', limit)
      .map((row) => ({ cid: row.blob_cid, path: row.path }))
  }

  /** Distinct blobs the records reference, and how many of them this server holds. */
  counts(did: string): { expected: number; stored: number } {
    return this.countBlobs.get(did) ?? { expected: 0, stored: 0 }
  }

  deleteAll(did: string): void {
    this.removeAll.run(did)
  }
}
