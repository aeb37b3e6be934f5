/**
 * Record and blob takedowns (tables `record_takedown`, `blob_takedown`). The read paths ask on
 * every getRecord, listRecords page and blob download, so each question is one primary-key probe;
 * the tables are empty on most servers. Account takedowns are `account.takedown_ref`.
 */
import type { Db } from '../database.ts'

export interface RecordTakedown {
  readonly did: string
  readonly collection: string
  readonly rkey: string
  /** The record version the moderator named. */
  readonly cid: string
  readonly ref: string
  readonly createdAt: string
}

export interface BlobTakedown {
  readonly did: string
  readonly cid: string
  readonly ref: string
  readonly createdAt: string
}

const RECORD_COLUMNS = 'did, collection, rkey, cid, takedown_ref AS ref, created_at AS createdAt'
const BLOB_COLUMNS = 'did, cid, takedown_ref AS ref, created_at AS createdAt'

export class TakedownStore {
  constructor(private readonly db: Db) {}

  record(did: string, collection: string, rkey: string): RecordTakedown | undefined {
    return (
      this.db
        .prepare<RecordTakedown, [string, string, string]>(
          `SELECT ${RECORD_COLUMNS} FROM record_takedown WHERE did = ? AND collection = ? AND rkey = ?`,
        )
        .get(did, collection, rkey) ?? undefined
    )
  }

  isRecordTakenDown(did: string, collection: string, rkey: string): boolean {
    return (
      this.db
        .prepare<{ one: number }, [string, string, string]>(
          'SELECT 1 AS one FROM record_takedown WHERE did = ? AND collection = ? AND rkey = ?',
        )
        .get(did, collection, rkey) !== null
    )
  }

  /** The taken-down record keys of one collection (a primary-key prefix scan; usually none). */
  takenDownRkeys(did: string, collection: string): Set<string> {
    const rows = this.db
      .prepare<{ rkey: string }, [string, string]>(
        'SELECT rkey FROM record_takedown WHERE did = ? AND collection = ?',
      )
      .all(did, collection)
    return new Set(rows.map((row) => row.rkey))
  }

  /** Applies (or re-references) a record takedown. */
  putRecord(t: RecordTakedown): void {
    this.db
      .prepare(
        `INSERT INTO record_takedown (did, collection, rkey, cid, takedown_ref, created_at)
          VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid,
            takedown_ref = excluded.takedown_ref`,
      )
      .run(t.did, t.collection, t.rkey, t.cid, t.ref, t.createdAt)
  }

  /** Returns whether a takedown was lifted. */
  deleteRecord(did: string, collection: string, rkey: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM record_takedown WHERE did = ? AND collection = ? AND rkey = ?')
        .run(did, collection, rkey).changes > 0
    )
  }

  blob(did: string, cid: string): BlobTakedown | undefined {
    return (
      this.db
        .prepare<BlobTakedown, [string, string]>(
          `SELECT ${BLOB_COLUMNS} FROM blob_takedown WHERE did = ? AND cid = ?`,
        )
        .get(did, cid) ?? undefined
    )
  }

  isBlobTakenDown(did: string, cid: string): boolean {
    return (
      this.db
        .prepare<{ one: number }, [string, string]>(
          'SELECT 1 AS one FROM blob_takedown WHERE did = ? AND cid = ?',
        )
        .get(did, cid) !== null
    )
  }

  putBlob(t: BlobTakedown): void {
    this.db
      .prepare(
        `INSERT INTO blob_takedown (did, cid, takedown_ref, created_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (did, cid) DO UPDATE SET takedown_ref = excluded.takedown_ref`,
      )
      .run(t.did, t.cid, t.ref, t.createdAt)
  }

  deleteBlob(did: string, cid: string): boolean {
    return this.db.prepare('DELETE FROM blob_takedown WHERE did = ? AND cid = ?').run(did, cid).changes > 0
  }
}
