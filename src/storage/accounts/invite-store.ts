/**
 * Prepared statements for `invite_code` and `invite_code_use`. A code is available while it is
 * not disabled and has fewer uses than `available_uses`.
 */
import type { Db } from '../database.ts'

export interface InviteCodeRow {
  code: string
  availableUses: number
  disabled: boolean
  forAccount: string
  createdBy: string
  createdAt: string
  uses: { usedBy: string; usedAt: string }[]
}

interface RawCode {
  code: string
  availableUses: number
  disabled: number
  forAccount: string
  createdBy: string
  createdAt: string
}

const CODE_COLUMNS = `code, available_uses AS availableUses, disabled, for_account AS forAccount,
  created_by AS createdBy, created_at AS createdAt`

export class InviteStore {
  constructor(private readonly db: Db) {}

  insert(
    code: string,
    availableUses: number,
    forAccount: string,
    createdBy: string,
    createdAt: string,
  ): void {
    this.db
      .prepare(
        `INSERT INTO invite_code (code, available_uses, for_account, created_by, created_at)
          VALUES (?, ?, ?, ?, ?)`,
      )
      .run(code, availableUses, forAccount, createdBy, createdAt)
  }

  /**
   * The code, how often it was used, and whether the account it was minted for may not invite
   * (its invites disabled by the admin, or taken down); undefined when unknown.
   */
  get(code: string): (RawCode & { useCount: number; ownerBlocked: number }) | undefined {
    return (
      this.db
        .prepare<RawCode & { useCount: number; ownerBlocked: number }, [string]>(
          `SELECT ${CODE_COLUMNS}, (SELECT count(*) FROM invite_code_use u WHERE u.code = c.code) AS useCount,
              EXISTS (SELECT 1 FROM account a WHERE a.did = c.for_account
                AND (a.invites_disabled = 1 OR a.takedown_ref IS NOT NULL)) AS ownerBlocked
            FROM invite_code c WHERE code = ?`,
        )
        .get(code) ?? undefined
    )
  }

  recordUse(code: string, usedBy: string, usedAt: string): void {
    this.db
      .prepare('INSERT INTO invite_code_use (code, used_by, used_at) VALUES (?, ?, ?)')
      .run(code, usedBy, usedAt)
  }

  /** The account's codes, newest first, each with its uses. */
  forAccount(forAccount: string): InviteCodeRow[] {
    const codes = this.db
      .prepare<RawCode, [string]>(
        `SELECT ${CODE_COLUMNS} FROM invite_code WHERE for_account = ? ORDER BY created_at DESC, code`,
      )
      .all(forAccount)
    const usesOf = this.db.prepare<{ usedBy: string; usedAt: string }, [string]>(
      'SELECT used_by AS usedBy, used_at AS usedAt FROM invite_code_use WHERE code = ? ORDER BY used_at',
    )
    return codes.map((c) => ({ ...c, disabled: c.disabled === 1, uses: usesOf.all(c.code) }))
  }

  setDisabled(code: string, disabled: boolean): boolean {
    return (
      this.db.prepare('UPDATE invite_code SET disabled = ? WHERE code = ?').run(disabled ? 1 : 0, code)
        .changes > 0
    )
  }

  /** Removes the codes minted for an account (its uses cascade). */
  deleteForAccount(forAccount: string): void {
    this.db.prepare('DELETE FROM invite_code WHERE for_account = ?').run(forAccount)
  }
}
