/**
 * Prepared statements for `app_password`. The hash is salted per account and deterministic (see
 * services/auth/password.ts), so a login finds the app password by its hash in one lookup.
 * Deleting a row cascades to the sessions made with it.
 */
import type { Db } from '../database.ts'
import { mapUniqueViolation } from './errors.ts'

export interface AppPasswordRow {
  name: string
  privileged: boolean
  createdAt: string
}

interface RawRow {
  name: string
  privileged: number
  createdAt: string
}

export class AppPasswordStore {
  constructor(private readonly db: Db) {}

  /** Throws UniqueViolationError (app_password.did) when the account already has the name. */
  insert(did: string, name: string, passwordHash: string, privileged: boolean, createdAt: string): void {
    mapUniqueViolation(() =>
      this.db
        .prepare(
          `INSERT INTO app_password (did, name, password_hash, privileged, created_at)
            VALUES (?, ?, ?, ?, ?)`,
        )
        .run(did, name, passwordHash, privileged ? 1 : 0, createdAt),
    )
  }

  byHash(did: string, passwordHash: string): AppPasswordRow | undefined {
    const row = this.db
      .prepare<RawRow, [string, string]>(
        `SELECT name, privileged, created_at AS createdAt FROM app_password
          WHERE did = ? AND password_hash = ?`,
      )
      .get(did, passwordHash)
    return row ? toRow(row) : undefined
  }

  /** Newest first, as the reference lists them. */
  list(did: string): AppPasswordRow[] {
    return this.db
      .prepare<RawRow, [string]>(
        `SELECT name, privileged, created_at AS createdAt FROM app_password
          WHERE did = ? ORDER BY created_at DESC, name`,
      )
      .all(did)
      .map(toRow)
  }

  /** Returns whether a row was deleted. */
  delete(did: string, name: string): boolean {
    return this.db.prepare('DELETE FROM app_password WHERE did = ? AND name = ?').run(did, name).changes > 0
  }

  deleteAll(did: string): void {
    this.db.prepare('DELETE FROM app_password WHERE did = ?').run(did)
  }
}

function toRow(raw: RawRow): AppPasswordRow {
  return { name: raw.name, privileged: raw.privileged === 1, createdAt: raw.createdAt }
}
