/**
 * The account-wide listings of the sync API, read-only over the account, repo_root and record
 * tables: every hosted repository in creation order (`sync.listRepos`), and the accounts with
 * records in a collection (`sync.listReposByCollection`). Both page with keyset cursors, so a
 * page costs the same wherever it starts.
 */
import type { Statement } from 'bun:sqlite'
import { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'

export interface HostedRepoRow {
  readonly did: string
  readonly createdAt: string
  readonly head: CID
  readonly rev: string
  readonly deactivatedAt: string | null
  readonly takedownRef: string | null
}

/** Where the previous page ended: the last row's creation time and DID. */
export interface HostedRepoKey {
  readonly createdAt: string
  readonly did: string
}

interface Row {
  did: string
  created_at: string
  commit_cid: Uint8Array
  rev: string
  deactivated_at: string | null
  takedown_ref: string | null
}

const HOSTED_COLUMNS = `a.did, a.created_at, a.deactivated_at, a.takedown_ref, r.commit_cid, r.rev
  FROM account a JOIN repo_root r ON r.did = a.did`

export class RepoListing {
  private readonly selectFirst: Statement<Row, [number]>
  private readonly selectAfter: Statement<Row, [string, string, number]>
  private readonly selectByCollection: Statement<{ did: string }, [string, string, number]>

  constructor(db: Db) {
    this.selectFirst = db.prepare(`SELECT ${HOSTED_COLUMNS} ORDER BY a.created_at, a.did LIMIT ?`)
    this.selectAfter = db.prepare(
      `SELECT ${HOSTED_COLUMNS} WHERE (a.created_at, a.did) > (?, ?) ORDER BY a.created_at, a.did LIMIT ?`,
    )
    // Walks accounts in DID order and probes the record primary key (did, collection, …) for
    // each: no extra index to maintain on every write, and cheap at the scale of one PDS.
    this.selectByCollection = db.prepare(`
      SELECT a.did FROM account a
      WHERE a.did > ?2 AND a.takedown_ref IS NULL AND a.deactivated_at IS NULL
        AND EXISTS (SELECT 1 FROM record r WHERE r.did = a.did AND r.collection = ?1)
      ORDER BY a.did LIMIT ?3
    `)
  }

  /** Up to `limit` repositories after `after` (from the start without it), oldest account first. */
  hostedRepos(after: HostedRepoKey | undefined, limit: number): HostedRepoRow[] {
    const rows = after ? this.selectAfter.all(after.createdAt, after.did, limit) : this.selectFirst.all(limit)
    return rows.map((row) => ({
      did: row.did,
      createdAt: row.created_at,
      head: CID.decode(row.commit_cid),
      rev: row.rev,
      deactivatedAt: row.deactivated_at,
      takedownRef: row.takedown_ref,
    }))
  }

  /** DIDs of active accounts holding at least one record of `collection`, after `afterDid`. */
  reposWithCollection(collection: string, afterDid: string, limit: number): string[] {
    return this.selectByCollection.all(collection, afterDid, limit).map((row) => row.did)
  }
}
