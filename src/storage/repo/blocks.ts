/**
 * Repo blocks in SQLite: the synchronous BlockReader the MST and commit code read through (one
 * prepared point lookup per block, nothing cached, so a write reads only the nodes on its path),
 * and the inserts and deletes a commit makes. Keys are the CID's binary bytes.
 */
import type { Statement } from 'bun:sqlite'
import type { BlockReader } from '../../core/block-reader.ts'
import type { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'

export interface StoredBlock {
  readonly cid: CID
  readonly bytes: Uint8Array
}

export class RepoBlocks {
  private readonly select: Statement<{ bytes: Uint8Array }, [string, Uint8Array]>
  private readonly insert: Statement<unknown, [string, Uint8Array, Uint8Array, string]>
  private readonly remove: Statement<unknown, [string, Uint8Array]>
  private readonly removeUnusedRecord: Statement<unknown, [string, Uint8Array]>
  private readonly removeAll: Statement<unknown, [string]>
  private readonly countAll: Statement<{ n: number }, [string]>

  constructor(db: Db) {
    this.select = db.prepare('SELECT bytes FROM repo_block WHERE did = ? AND cid = ?')
    this.insert = db.prepare('INSERT OR IGNORE INTO repo_block (did, cid, bytes, rev) VALUES (?, ?, ?, ?)')
    this.remove = db.prepare('DELETE FROM repo_block WHERE did = ? AND cid = ?')
    this.removeUnusedRecord = db.prepare(`
      DELETE FROM repo_block WHERE did = ?1 AND cid = ?2
        AND NOT EXISTS (SELECT 1 FROM record WHERE did = ?1 AND cid = ?2)
    `)
    this.removeAll = db.prepare('DELETE FROM repo_block WHERE did = ?')
    this.countAll = db.prepare('SELECT count(*) AS n FROM repo_block WHERE did = ?')
  }

  /** A reader over one repository's blocks. */
  reader(did: string): BlockReader {
    return { get: (cid: CID) => this.select.get(did, cid.bytes)?.bytes }
  }

  /** Adds blocks; a block already stored (same CID) is left as it is. */
  putMany(did: string, blocks: Iterable<StoredBlock>, rev: string): void {
    for (const { cid, bytes } of blocks) this.insert.run(did, cid.bytes, bytes, rev)
  }

  deleteMany(did: string, cids: Iterable<CID>): void {
    for (const cid of cids) this.remove.run(did, cid.bytes)
  }

  /** Deletes a record block unless another record of the repo still has the same CID. */
  deleteRecordBlockIfUnused(did: string, cid: CID): void {
    this.removeUnusedRecord.run(did, cid.bytes)
  }

  deleteAll(did: string): void {
    this.removeAll.run(did)
  }

  count(did: string): number {
    return this.countAll.get(did)?.n ?? 0
  }
}
