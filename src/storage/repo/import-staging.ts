/**
 * Staging for repository imports: the blocks of an incoming CAR are written to a TEMP table as
 * they stream in (bounded memory, whatever the CAR's size), then read back at random while the
 * repo is verified and copied in one transaction. TEMP tables belong to this connection and
 * spill to a temporary file, never to the database. Staging writes only touch the temp schema,
 * so their (deferred) transactions never take the database write lock.
 */
import type { Statement } from 'bun:sqlite'
import type { BlockReader } from '../../core/block-reader.ts'
import type { CID } from '../../core/cid.ts'
import type { Db } from '../database.ts'
import type { StoredBlock } from './blocks.ts'

export class ImportStaging {
  private nextId = 1
  private statements:
    | {
        insert: Statement<unknown, [number, Uint8Array, Uint8Array]>
        select: Statement<{ bytes: Uint8Array }, [number, Uint8Array]>
        clear: Statement<unknown, [number]>
      }
    | undefined

  constructor(private readonly db: Db) {}

  /** A new, empty staging area. */
  begin(): number {
    return this.nextId++
  }

  add(id: number, blocks: readonly StoredBlock[]): void {
    const { insert } = this.prepared()
    this.db.raw.transaction(() => {
      for (const block of blocks) insert.run(id, block.cid.bytes, block.bytes)
    })()
  }

  reader(id: number): BlockReader {
    const { select } = this.prepared()
    return { get: (cid: CID) => select.get(id, cid.bytes)?.bytes }
  }

  clear(id: number): void {
    this.prepared().clear.run(id)
  }

  private prepared() {
    if (!this.statements) {
      this.db.exec(`
        CREATE TEMP TABLE IF NOT EXISTS import_block (
          import_id INTEGER NOT NULL,
          cid BLOB NOT NULL,
          bytes BLOB NOT NULL,
          PRIMARY KEY (import_id, cid)
        ) WITHOUT ROWID
      `)
      this.statements = {
        insert: this.db.prepare(
          'INSERT OR IGNORE INTO temp.import_block (import_id, cid, bytes) VALUES (?, ?, ?)',
        ),
        select: this.db.prepare('SELECT bytes FROM temp.import_block WHERE import_id = ? AND cid = ?'),
        clear: this.db.prepare('DELETE FROM temp.import_block WHERE import_id = ?'),
      }
    }
    return this.statements
  }
}
