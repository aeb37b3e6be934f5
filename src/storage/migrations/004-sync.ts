import type { Migration } from './migration.ts'

/**
 * What sync keeps besides the event log: the last answer of each crawler (relay) we asked to
 * crawl us, for operators, and how far the event log has been pruned, so the firehose can tell a
 * cursor that points into pruned history (OutdatedCursor) from one that points into a gap left by
 * a deleted account. The index serves `sync.listRepos`, which pages accounts in creation order
 * (so accounts created while a consumer pages appear on its last page, not behind its cursor).
 */
export const migration004Sync: Migration = {
  id: 4,
  name: 'sync',
  up(db) {
    db.exec(`
      CREATE TABLE crawler_status (
        url TEXT PRIMARY KEY NOT NULL,
        attempted_at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        http_status INTEGER,
        message TEXT,
        last_ok_at TEXT
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE event_prune (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pruned_through INTEGER NOT NULL,
        pruned_at TEXT NOT NULL
      ) STRICT
    `)
    db.exec('CREATE INDEX account_created_at_did ON account (created_at, did)')
  },
}
