/**
 * Point reads of one repository for the sync API (getLatestCommit, getRecord proofs, getBlocks),
 * read-only over the repo tables the repo service writes. `consistent` runs several reads inside
 * one read transaction, so an admin command committing from another process in between cannot
 * hand a proof the root of one commit and the nodes of another.
 */
import type { Statement } from 'bun:sqlite'
import type { BlockReader } from '../../core/block-reader.ts'
import { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'

export interface SyncRoot {
  readonly cid: CID
  readonly data: CID
  readonly rev: string
}

export class RepoReads {
  private readonly selectRoot: Statement<
    { commit_cid: Uint8Array; data_cid: Uint8Array; rev: string },
    [string]
  >
  private readonly selectBlock: Statement<{ bytes: Uint8Array }, [string, Uint8Array]>

  constructor(private readonly db: Db) {
    this.selectRoot = db.prepare('SELECT commit_cid, data_cid, rev FROM repo_root WHERE did = ?')
    this.selectBlock = db.prepare('SELECT bytes FROM repo_block WHERE did = ? AND cid = ?')
  }

  root(did: string): SyncRoot | undefined {
    const row = this.selectRoot.get(did)
    if (!row) return undefined
    return { cid: CID.decode(row.commit_cid), data: CID.decode(row.data_cid), rev: row.rev }
  }

  reader(did: string): BlockReader {
    return { get: (cid: CID) => this.selectBlock.get(did, cid.bytes)?.bytes }
  }

  /** Runs `fn` (synchronous) in a deferred read transaction: one consistent view of the tables. */
  consistent<T>(fn: () => T): T {
    return this.db.raw.transaction(fn).deferred()
  }
}
