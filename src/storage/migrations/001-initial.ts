import type { Migration } from './migration.ts'

/** server_meta: small server-wide facts (keys, one-off markers) as key/value text. */
export const migration001Initial: Migration = {
  id: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE server_meta (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
  },
}
