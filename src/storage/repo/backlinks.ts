/**
 * Backlinks of follows, blocks, likes and reposts (`subject` or `subject.uri`): createRecord uses
 * them to replace an existing record with the same subject instead of adding a duplicate, as the
 * reference PDS does.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface Backlink {
  readonly path: string
  readonly linkTo: string
}

export class RecordBacklinks {
  private readonly insert: Statement<unknown, [string, string, string, string, string]>
  private readonly removeForRecord: Statement<unknown, [string, string, string]>
  private readonly select: Statement<{ rkey: string }, [string, string, string, string]>
  private readonly removeAll: Statement<unknown, [string]>

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT OR REPLACE INTO record_backlink (did, collection, rkey, path, link_to) VALUES (?, ?, ?, ?, ?)',
    )
    this.removeForRecord = db.prepare(
      'DELETE FROM record_backlink WHERE did = ? AND collection = ? AND rkey = ?',
    )
    this.select = db.prepare(
      'SELECT rkey FROM record_backlink WHERE did = ? AND collection = ? AND path = ? AND link_to = ?',
    )
    this.removeAll = db.prepare('DELETE FROM record_backlink WHERE did = ?')
  }

  add(did: string, collection: string, rkey: string, links: readonly Backlink[]): void {
    for (const link of links) this.insert.run(did, collection, rkey, link.path, link.linkTo)
  }

  removeRecord(did: string, collection: string, rkey: string): void {
    this.removeForRecord.run(did, collection, rkey)
  }

  /** Record keys in `collection` that link to the same subject through the same path. */
  rkeysLinkingTo(did: string, collection: string, link: Backlink): string[] {
    return this.select.all(did, collection, link.path, link.linkTo).map((row) => row.rkey)
  }

  deleteAll(did: string): void {
    this.removeAll.run(did)
  }
}
