import type { Migration } from './migration.ts'

/**
 * Moderation (docs/ADMIN.md): takedowns of single records and blobs, the reports accounts file
 * with com.atproto.moderation.createReport when no report service takes them, and the admin's
 * per-account switch for invite codes. Account takedowns need nothing new (account.takedown_ref).
 * Record and blob takedowns live in tables of their own, keyed by what they hide (the record's
 * path, the blob's CID), so a takedown also holds back a record re-created at the same path or
 * the same bytes uploaded again, until the admin reverses it.
 */
export const migration006Moderation: Migration = {
  id: 6,
  name: 'moderation',
  up(db) {
    db.exec('ALTER TABLE account ADD COLUMN invites_disabled INTEGER NOT NULL DEFAULT 0')
    // `cid` is the version the moderator acted on (the strongRef), kept for getSubjectStatus
    // once the record itself is gone.
    db.exec(`
      CREATE TABLE record_takedown (
        did TEXT NOT NULL,
        collection TEXT NOT NULL,
        rkey TEXT NOT NULL,
        cid TEXT NOT NULL,
        takedown_ref TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (did, collection, rkey)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE blob_takedown (
        did TEXT NOT NULL,
        cid TEXT NOT NULL,
        takedown_ref TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (did, cid)
      ) STRICT, WITHOUT ROWID
    `)
    // subject_uri/subject_cid are set for record reports (a strongRef), NULL for account reports.
    db.exec(`
      CREATE TABLE moderation_report (
        id INTEGER PRIMARY KEY,
        reason_type TEXT NOT NULL,
        reason TEXT,
        subject_did TEXT NOT NULL,
        subject_uri TEXT,
        subject_cid TEXT,
        reported_by TEXT NOT NULL,
        mod_tool TEXT,
        created_at TEXT NOT NULL,
        resolved_at TEXT
      ) STRICT
    `)
    db.exec('CREATE INDEX moderation_report_open ON moderation_report (id) WHERE resolved_at IS NULL')
  },
}
