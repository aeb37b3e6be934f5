/**
 * The blocks a repository gained after a revision (`sync.getRepo` with `since`), streamed from a
 * consistent snapshot. Like the repo export, it reads through its own read-only connection in a
 * read transaction: under WAL that connection keeps the state of the moment it started while the
 * server goes on writing, and the main connection stays free. Blocks come in CID order, in
 * pages, so memory stays at one page whatever the size of the diff.
 */
import { Database, type Statement } from 'bun:sqlite'
import { CID } from '../../core/cid.ts'
import { BUSY_TIMEOUT_MS } from '../database.ts'
import { SnapshotUnavailableError } from '../repo/index.ts'
import type { SyncRoot } from './repo-reads.ts'

export interface DiffBlock {
  readonly cid: CID
  readonly bytes: Uint8Array
}

const PAGE_SIZE = 500
/** The first key in CID order (every binary CID is longer and sorts after it). */
const BEFORE_ALL_CIDS = new Uint8Array(0)

export class DiffSnapshot {
  private readonly selectRoot: Statement<
    { commit_cid: Uint8Array; data_cid: Uint8Array; rev: string },
    [string]
  >
  private readonly selectPage: Statement<
    { cid: Uint8Array; bytes: Uint8Array },
    [string, string, Uint8Array, number]
  >

  private constructor(private readonly raw: Database) {
    this.selectRoot = raw.query('SELECT commit_cid, data_cid, rev FROM repo_root WHERE did = ?')
    this.selectPage = raw.query(
      'SELECT cid, bytes FROM repo_block WHERE did = ? AND rev > ? AND cid > ? ORDER BY cid LIMIT ?',
    )
  }

  /** Opens a snapshot of the database file at `path`; close it when done. */
  static open(path: string): DiffSnapshot {
    if (path === ':memory:') throw new SnapshotUnavailableError('an in-memory database has no snapshots')
    const raw = new Database(path, { readonly: true, strict: true })
    try {
      raw.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
      raw.run('BEGIN')
      // SQLite takes the snapshot at the first read, not at BEGIN.
      raw.query('SELECT 1 FROM repo_root LIMIT 1').get()
      return new DiffSnapshot(raw)
    } catch (err) {
      raw.close()
      throw err
    }
  }

  root(did: string): SyncRoot | undefined {
    const row = this.selectRoot.get(did)
    if (!row) return undefined
    return { cid: CID.decode(row.commit_cid), data: CID.decode(row.data_cid), rev: row.rev }
  }

  /** Every block of `did` written by a commit with a rev above `since`, one page at a time. */
  *blocksSince(did: string, since: string): Generator<DiffBlock> {
    let after: Uint8Array = BEFORE_ALL_CIDS
    for (;;) {
      const page = this.selectPage.all(did, since, after, PAGE_SIZE)
      for (const row of page) yield { cid: CID.decode(row.cid), bytes: row.bytes }
      if (page.length < PAGE_SIZE) return
      after = page[page.length - 1]!.cid
    }
  }

  close(): void {
    this.raw.run('COMMIT')
    this.raw.close()
  }
}
