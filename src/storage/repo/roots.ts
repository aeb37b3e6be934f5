/**
 * The current commit of each repository: its CID, the MST root it signs (`data`, kept here so a
 * write does not decode the commit block) and its revision.
 */
import type { Statement } from 'bun:sqlite'
import { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'

export interface RepoRoot {
  readonly cid: CID
  readonly data: CID
  readonly rev: string
}

interface RootRow {
  commit_cid: Uint8Array
  data_cid: Uint8Array
  rev: string
}

export class RepoRoots {
  private readonly select: Statement<RootRow, [string]>
  private readonly upsert: Statement<unknown, [string, Uint8Array, Uint8Array, string, string]>
  private readonly remove: Statement<unknown, [string]>

  constructor(db: Db) {
    this.select = db.prepare('SELECT commit_cid, data_cid, rev FROM repo_root WHERE did = ?')
    this.upsert = db.prepare(`
      INSERT INTO repo_root (did, commit_cid, data_cid, rev, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (did) DO UPDATE SET
        commit_cid = excluded.commit_cid, data_cid = excluded.data_cid,
        rev = excluded.rev, updated_at = excluded.updated_at
    `)
    this.remove = db.prepare('DELETE FROM repo_root WHERE did = ?')
  }

  get(did: string): RepoRoot | undefined {
    const row = this.select.get(did)
    if (!row) return undefined
    return { cid: CID.decode(row.commit_cid), data: CID.decode(row.data_cid), rev: row.rev }
  }

  set(did: string, root: RepoRoot): void {
    this.upsert.run(did, root.cid.bytes, root.data.bytes, root.rev, new Date().toISOString())
  }

  delete(did: string): void {
    this.remove.run(did)
  }
}
