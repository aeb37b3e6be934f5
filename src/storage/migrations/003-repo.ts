import type { Migration } from './migration.ts'

/**
 * Repositories and what hangs off them: blocks, the repo root, the record index (with blob
 * references and backlinks), blob metadata, the blob deletion queue, the event log and account
 * preferences. CIDs of blocks and records are stored as their 36 binary bytes (compact keys, no
 * string encoding on the hot path); blob CIDs are text because every API hands them out as text.
 * No foreign keys to the account tables: the repo service deletes an account's rows itself.
 */
export const migration003Repo: Migration = {
  id: 3,
  name: 'repo',
  up(db) {
    // The current commit, MST nodes and records of each repo, nothing else: a commit deletes the
    // blocks it drops. `rev` is the commit that added the block.
    db.exec(`
      CREATE TABLE repo_block (
        did TEXT NOT NULL,
        cid BLOB NOT NULL,
        bytes BLOB NOT NULL,
        rev TEXT NOT NULL,
        PRIMARY KEY (did, cid)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE repo_root (
        did TEXT PRIMARY KEY NOT NULL,
        commit_cid BLOB NOT NULL,
        data_cid BLOB NOT NULL,
        rev TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE record (
        did TEXT NOT NULL,
        collection TEXT NOT NULL,
        rkey TEXT NOT NULL,
        cid BLOB NOT NULL,
        rev TEXT NOT NULL,
        PRIMARY KEY (did, collection, rkey)
      ) STRICT, WITHOUT ROWID
    `)
    // Whether a record block is still used by another path after an update or delete.
    db.exec('CREATE INDEX record_did_cid ON record (did, cid)')
    db.exec(`
      CREATE TABLE record_blob (
        did TEXT NOT NULL,
        blob_cid TEXT NOT NULL,
        collection TEXT NOT NULL,
        rkey TEXT NOT NULL,
        PRIMARY KEY (did, blob_cid, collection, rkey)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX record_blob_record ON record_blob (did, collection, rkey)')
    // Follows, blocks, likes and reposts by subject: createRecord replaces a duplicate.
    db.exec(`
      CREATE TABLE record_backlink (
        did TEXT NOT NULL,
        collection TEXT NOT NULL,
        rkey TEXT NOT NULL,
        path TEXT NOT NULL,
        link_to TEXT NOT NULL,
        PRIMARY KEY (did, collection, rkey, path)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX record_backlink_link ON record_backlink (did, collection, path, link_to)')
    // temp_key is set while the upload is temporary; unreferenced_since once the last record
    // referring to a permanent blob is gone. The sweep deletes either after a grace period.
    db.exec(`
      CREATE TABLE blob (
        did TEXT NOT NULL,
        cid TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        temp_key TEXT,
        created_at TEXT NOT NULL,
        unreferenced_since TEXT,
        PRIMARY KEY (did, cid)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX blob_temp ON blob (created_at) WHERE temp_key IS NOT NULL')
    db.exec(
      'CREATE INDEX blob_unreferenced ON blob (unreferenced_since) WHERE unreferenced_since IS NOT NULL',
    )
    // Files to remove once the transaction that deleted their rows has committed.
    db.exec(`
      CREATE TABLE blob_deletion (
        id INTEGER PRIMARY KEY,
        did TEXT NOT NULL,
        cid TEXT NOT NULL,
        temp_key TEXT
      ) STRICT
    `)
    // No index on sequenced_at: seqs are assigned in time order, so pruning by age deletes a
    // prefix of the primary key.
    db.exec(`
      CREATE TABLE repo_seq (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        did TEXT NOT NULL,
        type TEXT NOT NULL,
        event BLOB NOT NULL,
        sequenced_at TEXT NOT NULL
      ) STRICT
    `)
    db.exec(`
      CREATE TABLE account_pref (
        id INTEGER PRIMARY KEY,
        did TEXT NOT NULL,
        name TEXT NOT NULL,
        value BLOB NOT NULL
      ) STRICT
    `)
    db.exec('CREATE INDEX account_pref_did ON account_pref (did)')
  },
}
