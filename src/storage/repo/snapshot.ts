/**
 * A consistent read-only view of the repository tables for long reads (repo exports, and the
 * blocks changed since a rev for `sync.getRepo?since=`) that yield to the event loop between
 * chunks. It uses its own connection in a read transaction, so under
 * WAL it keeps seeing the state of the moment it started while writers carry on; the main
 * connection cannot be used for this, because a transaction left open on it would swallow the
 * writes of every other request.
 */
import { Database } from 'bun:sqlite'
import type { BlockReader } from '../../core/block-reader.ts'
import { CID } from '../../core/cid.ts'
import { BUSY_TIMEOUT_MS } from '../database.ts'
import type { RepoRoot } from './roots.ts'

/** A record's block: its binary CID, and its bytes unless they were too large for a page. */
export interface RecordBlock {
  cid: Uint8Array
  bytes: Uint8Array | null
}

export class SnapshotUnavailableError extends Error {
  override name = 'SnapshotUnavailableError'
}

/** A page of `blocksSince`: memory stays at one page whatever the size of the diff. */
const PAGE_SIZE = 500
/**
 * Reads go through a memory map of the database file (pages beyond it are read as usual). A
 * snapshot's connection starts with an empty page cache and an export touches its pages in key
 * order, which is random in block order; mapped pages come from the OS cache without a read each.
 */
const MMAP_BYTES = 1 << 30
/** The first key in CID order (every binary CID is longer and sorts after it). */
const BEFORE_ALL_CIDS = new Uint8Array(0)

export class RepoSnapshot {
  private readonly selectBlock
  private readonly selectRoot
  private readonly selectChangedPage
  private readonly selectRecordPage

  private constructor(private readonly raw: Database) {
    this.selectBlock = raw.query<{ bytes: Uint8Array }, [string, Uint8Array]>(
      'SELECT bytes FROM repo_block WHERE did = ? AND cid = ?',
    )
    this.selectRoot = raw.query<{ commit_cid: Uint8Array; data_cid: Uint8Array; rev: string }, [string]>(
      'SELECT commit_cid, data_cid, rev FROM repo_root WHERE did = ?',
    )
    this.selectChangedPage = raw.query<
      { cid: Uint8Array; bytes: Uint8Array },
      [string, string, Uint8Array, number]
    >('SELECT cid, bytes FROM repo_block WHERE did = ? AND rev > ? AND cid > ? ORDER BY cid LIMIT ?')
    this.selectRecordPage = raw.query<RecordBlock, [number, string, string, string, number]>(
      `SELECT r.cid, CASE WHEN length(b.bytes) <= ? THEN b.bytes END AS bytes
       FROM record r JOIN repo_block b ON b.did = r.did AND b.cid = r.cid
       WHERE r.did = ? AND r.collection = ? AND r.rkey >= ? ORDER BY r.rkey LIMIT ?`,
    )
  }

  /** Opens a snapshot of the database file at `path` (an in-memory database cannot be shared). */
  static open(path: string): RepoSnapshot {
    if (path === ':memory:') throw new SnapshotUnavailableError('an in-memory database has no snapshots')
    const raw = new Database(path, { readonly: true, strict: true })
    try {
      raw.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
      raw.run(`PRAGMA mmap_size = ${MMAP_BYTES}`)
      raw.run('BEGIN')
      // The snapshot is taken at the first read, not at BEGIN.
      raw.query('SELECT 1 FROM repo_root LIMIT 1').get()
      return new RepoSnapshot(raw)
    } catch (err) {
      raw.close()
      throw err
    }
  }

  root(did: string): RepoRoot | undefined {
    const row = this.selectRoot.get(did)
    if (!row) return undefined
    return { cid: CID.decode(row.commit_cid), data: CID.decode(row.data_cid), rev: row.rev }
  }

  reader(did: string): BlockReader {
    return { get: (cid: CID) => this.selectBlock.get(did, cid.bytes)?.bytes }
  }

  /** A block's bytes by binary CID, without building a CID object. */
  blockBytes(did: string, cid: Uint8Array): Uint8Array | undefined {
    return this.selectBlock.get(did, cid)?.bytes
  }

  /**
   * Up to `limit` record blocks of one collection from `rkey` on, in rkey order (the MST order
   * within a collection): one query instead of a lookup per record. Blocks above `maxBytes` come
   * without their bytes, so a page stays under `limit * maxBytes` bytes.
   */
  recordBlocksFrom(
    did: string,
    page: { collection: string; rkey: string; limit: number; maxBytes: number },
  ): RecordBlock[] {
    return this.selectRecordPage.all(page.maxBytes, did, page.collection, page.rkey, page.limit)
  }

  /** Every block of `did` written by a commit with a rev above `since`, in CID order. */
  *blocksSince(did: string, since: string): Generator<{ cid: CID; bytes: Uint8Array }> {
    let after: Uint8Array = BEFORE_ALL_CIDS
    for (;;) {
      const page = this.selectChangedPage.all(did, since, after, PAGE_SIZE)
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
