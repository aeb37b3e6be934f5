import type { Migration } from './migration.ts'

/**
 * The OAuth authorization server's state.
 * - `oauth_signing_key`: the ES256 keys access tokens are signed with; a rotated key is retired
 *   but stays published until the tokens it signed have expired.
 * - `oauth_request`: a pushed authorization request, from PAR until its code is exchanged; it
 *   gets the account, the granted scope and the code (hashed) when the user approves.
 * - `oauth_token`: one OAuth session (what the user sees as an authorized app): its DPoP key,
 *   client authentication, scopes, the current refresh token (hashed) and its lifetimes.
 *   `oauth_used_refresh` remembers rotated refresh tokens (for as long as they would have lived),
 *   so that a replay revokes the session.
 * - `oauth_replay`: single-use values (PKCE challenges, client-assertion `jti`s) until expiry.
 * - `oauth_device_session`: a browser signed in to the authorization pages (cookie id hashed).
 * - `oauth_authorized_client`: the scopes an account approved for a client, for silent sign-in.
 * Secrets (codes, refresh tokens, cookie ids) are stored as SHA-256 hashes only.
 */
export const migration005OAuth: Migration = {
  id: 5,
  name: 'oauth',
  up(db) {
    db.exec(`
      CREATE TABLE oauth_signing_key (
        kid TEXT PRIMARY KEY NOT NULL,
        private_jwk TEXT NOT NULL,
        created_at TEXT NOT NULL,
        retired_at TEXT
      ) STRICT, WITHOUT ROWID
    `)
    db.exec(`
      CREATE TABLE oauth_request (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL,
        client_auth TEXT NOT NULL,
        parameters TEXT NOT NULL,
        dpop_jkt TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        did TEXT REFERENCES account (did) ON DELETE CASCADE,
        granted_scope TEXT,
        code_hash TEXT UNIQUE
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX oauth_request_by_expiry ON oauth_request (expires_at)')
    db.exec(`
      CREATE TABLE oauth_token (
        id TEXT PRIMARY KEY NOT NULL,
        did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        client_auth TEXT NOT NULL,
        dpop_jkt TEXT NOT NULL,
        scope TEXT NOT NULL,
        permissions TEXT NOT NULL,
        code_hash TEXT UNIQUE,
        refresh_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        refresh_expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX oauth_token_by_did ON oauth_token (did, client_id)')
    db.exec('CREATE INDEX oauth_token_by_expiry ON oauth_token (refresh_expires_at)')
    db.exec(`
      CREATE TABLE oauth_used_refresh (
        hash TEXT PRIMARY KEY NOT NULL,
        token_id TEXT NOT NULL REFERENCES oauth_token (id) ON DELETE CASCADE,
        used_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX oauth_used_refresh_by_token ON oauth_used_refresh (token_id)')
    db.exec(`
      CREATE TABLE oauth_replay (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX oauth_replay_by_expiry ON oauth_replay (expires_at)')
    db.exec(`
      CREATE TABLE oauth_device_session (
        id_hash TEXT PRIMARY KEY NOT NULL,
        did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
        authenticated_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID
    `)
    db.exec('CREATE INDEX oauth_device_session_by_did ON oauth_device_session (did)')
    db.exec(`
      CREATE TABLE oauth_authorized_client (
        did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (did, client_id)
      ) STRICT, WITHOUT ROWID
    `)
  },
}
