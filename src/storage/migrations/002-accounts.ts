import type { Migration } from './migration.ts'

/**
 * Accounts and everything that hangs off them: sessions and their refresh tokens, app passwords,
 * email tokens, invite codes, signing keys reserved for migrations, and the email outbox.
 * Timestamps are ISO 8601 UTC strings (`Date#toISOString`), which compare correctly as text.
 * Foreign keys stay inside this group (the repo tables are deleted by the services), and cascade
 * so that deleting an account, a session or an app password takes its dependants with it.
 */
export const migration002Accounts: Migration = {
  id: 2,
  name: 'accounts',
  up(db) {
    db.exec(`
      CREATE TABLE account (
        did TEXT PRIMARY KEY NOT NULL,
        handle TEXT NOT NULL UNIQUE,
        email TEXT UNIQUE,
        email_confirmed_at TEXT,
        password_hash TEXT NOT NULL,
        signing_key BLOB NOT NULL,
        created_at TEXT NOT NULL,
        deactivated_at TEXT,
        delete_after TEXT,
        takedown_ref TEXT
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE app_password (
        did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        privileged INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (did, name)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX app_password_by_hash ON app_password (did, password_hash)')
    // A session made with an app password dies with it (the FK is not checked while NULL).
    db.exec(`
      CREATE TABLE session (
        id TEXT PRIMARY KEY NOT NULL,
        did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
        scope TEXT NOT NULL,
        app_password_name TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        FOREIGN KEY (did, app_password_name) REFERENCES app_password (did, name) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX session_by_did ON session (did)')
    db.exec('CREATE INDEX session_by_app_password ON session (did, app_password_name)')
    db.exec(`
      CREATE TABLE refresh_token (
        id TEXT PRIMARY KEY NOT NULL,
        session_id TEXT NOT NULL REFERENCES session (id) ON DELETE CASCADE,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        next_id TEXT
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX refresh_token_by_session ON refresh_token (session_id)')
    db.exec(`
      CREATE TABLE email_token (
        did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        token_hash BLOB NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (did, purpose)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX email_token_by_hash ON email_token (purpose, token_hash)')
    db.exec(`
      CREATE TABLE invite_code (
        code TEXT PRIMARY KEY NOT NULL,
        available_uses INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        for_account TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX invite_code_by_account ON invite_code (for_account)')
    db.exec(`
      CREATE TABLE invite_code_use (
        code TEXT NOT NULL REFERENCES invite_code (code) ON DELETE CASCADE,
        used_by TEXT NOT NULL,
        used_at TEXT NOT NULL,
        PRIMARY KEY (code, used_by)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE reserved_signing_key (
        reserved_for TEXT PRIMARY KEY NOT NULL,
        signing_key BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE email_outbox (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        purpose TEXT NOT NULL,
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        smtp_reply TEXT
      ) STRICT
    `)
  },
}
