/**
 * Account preferences: one row per preference object (its `$type` as `name`, the value as
 * DAG-CBOR), in the order they were put.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface PreferenceRow {
  readonly id: number
  readonly name: string
  readonly value: Uint8Array
}

export class PreferenceRows {
  private readonly select: Statement<PreferenceRow, [string]>
  private readonly insert: Statement<unknown, [string, string, Uint8Array]>
  private readonly remove: Statement<unknown, [number]>
  private readonly removeAll: Statement<unknown, [string]>

  constructor(db: Db) {
    this.select = db.prepare('SELECT id, name, value FROM account_pref WHERE did = ? ORDER BY id')
    this.insert = db.prepare('INSERT INTO account_pref (did, name, value) VALUES (?, ?, ?)')
    this.remove = db.prepare('DELETE FROM account_pref WHERE id = ?')
    this.removeAll = db.prepare('DELETE FROM account_pref WHERE did = ?')
  }

  list(did: string): PreferenceRow[] {
    return this.select.all(did)
  }

  add(did: string, name: string, value: Uint8Array): void {
    this.insert.run(did, name, value)
  }

  delete(id: number): void {
    this.remove.run(id)
  }

  deleteAll(did: string): void {
    this.removeAll.run(did)
  }
}
