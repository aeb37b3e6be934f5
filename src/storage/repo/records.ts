/**
 * The record index: one row per record path (`collection/rkey`) with the record's CID and the
 * revision that wrote it. Reads join the block table for the record bytes, so a getRecord is one
 * indexed lookup. Listing pages by rkey through the primary key; collections are enumerated with
 * an index skip-scan (one probe per collection, not one per record).
 */
import type { Statement } from 'bun:sqlite'
import { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'

export interface RecordRow {
  readonly rkey: string
  readonly cid: CID
  readonly bytes: Uint8Array
}

export interface ListRecordsOptions {
  readonly limit: number
  /** Exclusive bound: rkeys after it in the listing order. */
  readonly cursor?: string
  /** Ascending rkeys (oldest TIDs first); descending by default, as the reference. */
  readonly reverse?: boolean
}

interface JoinedRow {
  rkey: string
  cid: Uint8Array
  bytes: Uint8Array | null
}

/** Sorts after every valid record key (their characters are at most `~`, 0x7E). */
const AFTER_ALL_RKEYS = '\u007f'

export class RecordIndex {
  private readonly selectOne: Statement<JoinedRow, [string, string, string]>
  private readonly selectCid: Statement<{ cid: Uint8Array }, [string, string, string]>
  private readonly upsert: Statement<unknown, [string, string, string, Uint8Array, string]>
  private readonly remove: Statement<unknown, [string, string, string]>
  private readonly removeAll: Statement<unknown, [string]>
  private readonly listDesc: Statement<JoinedRow, [string, string, string, number]>
  private readonly listAsc: Statement<JoinedRow, [string, string, string, number]>
  private readonly selectCollections: Statement<{ collection: string }, [string]>
  private readonly countAll: Statement<{ n: number }, [string]>

  constructor(db: Db) {
    // A point read as a subquery: as a join, SQLite sets up per-execution join machinery that
    // costs several times the two lookups themselves.
    this.selectOne = db.prepare(`
      SELECT r.rkey, r.cid, (SELECT bytes FROM repo_block b WHERE b.did = ?1 AND b.cid = r.cid) AS bytes
      FROM record r WHERE r.did = ?1 AND r.collection = ?2 AND r.rkey = ?3
    `)
    const joined = `SELECT r.rkey, r.cid, b.bytes FROM record r
      JOIN repo_block b ON b.did = r.did AND b.cid = r.cid`
    this.selectCid = db.prepare('SELECT cid FROM record WHERE did = ? AND collection = ? AND rkey = ?')
    this.upsert = db.prepare(`
      INSERT INTO record (did, collection, rkey, cid, rev) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid, rev = excluded.rev
    `)
    this.remove = db.prepare('DELETE FROM record WHERE did = ? AND collection = ? AND rkey = ?')
    this.removeAll = db.prepare('DELETE FROM record WHERE did = ?')
    this.listDesc = db.prepare(
      `${joined} WHERE r.did = ? AND r.collection = ? AND r.rkey < ? ORDER BY r.rkey DESC LIMIT ?`,
    )
    this.listAsc = db.prepare(
      `${joined} WHERE r.did = ? AND r.collection = ? AND r.rkey > ? ORDER BY r.rkey ASC LIMIT ?`,
    )
    this.selectCollections = db.prepare(`
      WITH RECURSIVE c (collection) AS (
        SELECT min(collection) FROM record WHERE did = ?1
        UNION ALL
        SELECT (SELECT min(collection) FROM record WHERE did = ?1 AND collection > c.collection)
        FROM c WHERE c.collection IS NOT NULL
      )
      SELECT collection FROM c WHERE collection IS NOT NULL
    `)
    this.countAll = db.prepare('SELECT count(*) AS n FROM record WHERE did = ?')
  }

  get(did: string, collection: string, rkey: string): RecordRow | undefined {
    const row = this.selectOne.get(did, collection, rkey)
    // A record without its block cannot happen (one transaction writes both); be strict anyway.
    return row?.bytes ? toRecordRow(row) : undefined
  }

  getCid(did: string, collection: string, rkey: string): CID | null {
    const row = this.selectCid.get(did, collection, rkey)
    return row ? CID.decode(row.cid) : null
  }

  put(did: string, collection: string, rkey: string, cid: CID, rev: string): void {
    this.upsert.run(did, collection, rkey, cid.bytes, rev)
  }

  delete(did: string, collection: string, rkey: string): void {
    this.remove.run(did, collection, rkey)
  }

  deleteAll(did: string): void {
    this.removeAll.run(did)
  }

  list(did: string, collection: string, opts: ListRecordsOptions): RecordRow[] {
    const rows = opts.reverse
      ? this.listAsc.all(did, collection, opts.cursor ?? '', opts.limit)
      : this.listDesc.all(did, collection, opts.cursor ?? AFTER_ALL_RKEYS, opts.limit)
    return rows.map(toRecordRow)
  }

  /** The repository's collections in NSID order. */
  collections(did: string): string[] {
    return this.selectCollections.all(did).map((row) => row.collection)
  }

  count(did: string): number {
    return this.countAll.get(did)?.n ?? 0
  }
}

function toRecordRow(row: JoinedRow): RecordRow {
  return { rkey: row.rkey, cid: CID.decode(row.cid), bytes: row.bytes! }
}
