/**
 * Prepared statements for the `account` table. Handles and emails are stored lower-cased, so
 * lookups are exact matches on the UNIQUE indexes. Secrets (password hash, signing key) are only
 * read by the methods that need them, never as part of an AccountRow.
 */
import type { Db } from '../database.ts'
import { mapUniqueViolation } from './errors.ts'

/** The public view of an account (the shape other services code against). */
export interface AccountRow {
  did: string
  handle: string
  email: string | null
  emailConfirmedAt: string | null
  createdAt: string
  deactivatedAt: string | null
  takedownRef: string | null
}

export interface NewAccount {
  did: string
  handle: string
  email: string | null
  emailConfirmedAt: string | null
  passwordHash: string
  signingKey: Uint8Array
  createdAt: string
  deactivatedAt: string | null
}

const COLUMNS = `did, handle, email, email_confirmed_at AS emailConfirmedAt, created_at AS createdAt,
  deactivated_at AS deactivatedAt, takedown_ref AS takedownRef`

export class AccountStore {
  constructor(private readonly db: Db) {}

  /** Throws UniqueViolationError naming account.did, account.handle or account.email. */
  insert(a: NewAccount): void {
    mapUniqueViolation(() =>
      this.db
        .prepare(
          `INSERT INTO account (did, handle, email, email_confirmed_at, password_hash, signing_key,
            created_at, deactivated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          a.did,
          a.handle,
          a.email,
          a.emailConfirmedAt,
          a.passwordHash,
          a.signingKey,
          a.createdAt,
          a.deactivatedAt,
        ),
    )
  }

  byDid(did: string): AccountRow | undefined {
    return (
      this.db.prepare<AccountRow, [string]>(`SELECT ${COLUMNS} FROM account WHERE did = ?`).get(did) ??
      undefined
    )
  }

  byHandle(handle: string): AccountRow | undefined {
    return (
      this.db.prepare<AccountRow, [string]>(`SELECT ${COLUMNS} FROM account WHERE handle = ?`).get(handle) ??
      undefined
    )
  }

  byEmail(email: string): AccountRow | undefined {
    return (
      this.db.prepare<AccountRow, [string]>(`SELECT ${COLUMNS} FROM account WHERE email = ?`).get(email) ??
      undefined
    )
  }

  passwordHash(did: string): string | undefined {
    const row = this.db
      .prepare<{ h: string }, [string]>('SELECT password_hash AS h FROM account WHERE did = ?')
      .get(did)
    return row?.h
  }

  signingKey(did: string): Uint8Array | undefined {
    const row = this.db
      .prepare<{ k: Uint8Array }, [string]>('SELECT signing_key AS k FROM account WHERE did = ?')
      .get(did)
    return row?.k
  }

  setPasswordHash(did: string, hash: string): void {
    this.db.prepare('UPDATE account SET password_hash = ? WHERE did = ?').run(hash, did)
  }

  /** Throws UniqueViolationError (account.email) when another account has the address. */
  setEmail(did: string, email: string, confirmedAt: string | null): void {
    mapUniqueViolation(() =>
      this.db
        .prepare('UPDATE account SET email = ?, email_confirmed_at = ? WHERE did = ?')
        .run(email, confirmedAt, did),
    )
  }

  setEmailConfirmed(did: string, at: string): void {
    this.db.prepare('UPDATE account SET email_confirmed_at = ? WHERE did = ?').run(at, did)
  }

  /** Throws UniqueViolationError (account.handle) when the handle is taken. */
  setHandle(did: string, handle: string): void {
    mapUniqueViolation(() => this.db.prepare('UPDATE account SET handle = ? WHERE did = ?').run(handle, did))
  }

  /** Returns whether the row changed (false when it already had that state). */
  setDeactivated(did: string, at: string, deleteAfter: string | null): boolean {
    return (
      this.db
        .prepare(
          `UPDATE account SET deactivated_at = ?, delete_after = ?
            WHERE did = ? AND deactivated_at IS NULL`,
        )
        .run(at, deleteAfter, did).changes > 0
    )
  }

  /** Returns whether the row changed (false when the account was already active). */
  setActivated(did: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE account SET deactivated_at = NULL, delete_after = NULL
            WHERE did = ? AND deactivated_at IS NOT NULL`,
        )
        .run(did).changes > 0
    )
  }

  setTakedownRef(did: string, ref: string | null): void {
    this.db.prepare('UPDATE account SET takedown_ref = ? WHERE did = ?').run(ref, did)
  }

  /** Deletes the account; sessions, app passwords and email tokens cascade. */
  delete(did: string): boolean {
    return this.db.prepare('DELETE FROM account WHERE did = ?').run(did).changes > 0
  }

  count(): number {
    return this.db.prepare<{ n: number }, []>('SELECT count(*) AS n FROM account').get()?.n ?? 0
  }

  /** Accounts by status (the metrics); a takedown counts over a deactivation, as in status.ts. */
  countByStatus(): { active: number; deactivated: number; takendown: number } {
    const row = this.db
      .prepare<{ active: number | null; deactivated: number | null; takendown: number | null }, []>(
        `SELECT count(*) FILTER (WHERE takedown_ref IS NULL AND deactivated_at IS NULL) AS active,
                count(*) FILTER (WHERE takedown_ref IS NULL AND deactivated_at IS NOT NULL) AS deactivated,
                count(*) FILTER (WHERE takedown_ref IS NOT NULL) AS takendown
           FROM account`,
      )
      .get()
    return { active: row?.active ?? 0, deactivated: row?.deactivated ?? 0, takendown: row?.takendown ?? 0 }
  }
}
