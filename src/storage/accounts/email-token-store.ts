/**
 * Prepared statements for `email_token`: at most one outstanding token per account and purpose
 * (a new request replaces the old one). Only the SHA-256 of a token is stored.
 */
import type { Db } from '../database.ts'

export interface EmailTokenRow {
  did: string
  tokenHash: Uint8Array
  expiresAt: string
}

export class EmailTokenStore {
  constructor(private readonly db: Db) {}

  upsert(did: string, purpose: string, tokenHash: Uint8Array, createdAt: string, expiresAt: string): void {
    this.db
      .prepare(
        `INSERT INTO email_token (did, purpose, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (did, purpose) DO UPDATE SET token_hash = excluded.token_hash,
            created_at = excluded.created_at, expires_at = excluded.expires_at`,
      )
      .run(did, purpose, tokenHash, createdAt, expiresAt)
  }

  get(did: string, purpose: string): EmailTokenRow | undefined {
    return (
      this.db
        .prepare<EmailTokenRow, [string, string]>(
          `SELECT did, token_hash AS tokenHash, expires_at AS expiresAt FROM email_token
            WHERE did = ? AND purpose = ?`,
        )
        .get(did, purpose) ?? undefined
    )
  }

  byHash(purpose: string, tokenHash: Uint8Array): EmailTokenRow | undefined {
    return (
      this.db
        .prepare<EmailTokenRow, [string, Uint8Array]>(
          `SELECT did, token_hash AS tokenHash, expires_at AS expiresAt FROM email_token
            WHERE purpose = ? AND token_hash = ?`,
        )
        .get(purpose, tokenHash) ?? undefined
    )
  }

  delete(did: string, purpose: string): void {
    this.db.prepare('DELETE FROM email_token WHERE did = ? AND purpose = ?').run(did, purpose)
  }
}
