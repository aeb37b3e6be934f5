/**
 * Read-only queries over the record index for read-after-write (services/proxy): the records of
 * one collection an account wrote after a given revision, whether the account has any record at
 * or before a revision, and one record by path. Revisions are TIDs, so text order is time order.
 * The table has no index on `rev`: a since-query walks the account's rows of that collection
 * (primary key prefix), which is cheap for the few collections it is asked about, and it is only
 * asked when the AppView is behind the repo (the service compares the repo root's rev first).
 */
import type { Statement } from 'bun:sqlite'
import { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'

export interface LocalRecordRow {
  readonly rkey: string
  readonly cid: CID
  /** The commit revision that wrote this version of the record. */
  readonly rev: string
  /** The record block (DRISL). */
  readonly bytes: Uint8Array
}

interface JoinedRow {
  rkey: string
  cid: Uint8Array
  rev: string
  bytes: Uint8Array
}

export class LocalRecordStore {
  private readonly selectSince: Statement<JoinedRow, [string, string, string, number]>
  private readonly selectAtOrBefore: Statement<{ found: number }, [string, string]>
  private readonly selectOne: Statement<JoinedRow, [string, string, string]>

  constructor(db: Db) {
    const joined = `SELECT r.rkey, r.cid, r.rev, b.bytes FROM record r
      JOIN repo_block b ON b.did = r.did AND b.cid = r.cid`
    this.selectSince = db.prepare(
      `${joined} WHERE r.did = ? AND r.collection = ? AND r.rev > ? ORDER BY r.rev ASC LIMIT ?`,
    )
    this.selectAtOrBefore = db.prepare('SELECT 1 AS found FROM record WHERE did = ? AND rev <= ? LIMIT 1')
    this.selectOne = db.prepare(`${joined} WHERE r.did = ? AND r.collection = ? AND r.rkey = ?`)
  }

  /** Records of `collection` written after `rev`, oldest first, at most `limit`. */
  since(did: string, collection: string, rev: string, limit: number): LocalRecordRow[] {
    return this.selectSince.all(did, collection, rev, limit).map(toRow)
  }

  /**
   * Whether any record of the account was written at or before `rev`. When none was, the
   * revision predates this repo (an account that moved here), and comparing against it is
   * meaningless.
   */
  hasRecordAtOrBefore(did: string, rev: string): boolean {
    return this.selectAtOrBefore.get(did, rev) !== null
  }

  get(did: string, collection: string, rkey: string): LocalRecordRow | undefined {
    const row = this.selectOne.get(did, collection, rkey)
    return row === null ? undefined : toRow(row)
  }
}

function toRow(row: JoinedRow): LocalRecordRow {
  return { rkey: row.rkey, cid: CID.decode(row.cid), rev: row.rev, bytes: row.bytes }
}
