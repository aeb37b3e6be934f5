/**
 * The admin's queries over the account tables that the account flows never need: email search,
 * the per-account invite switch (`account.invites_disabled`), who invited an account, and the
 * server-wide invite code listing (newest or most used first, keyset-paged).
 */
import type { Db } from '../database.ts'

export type InviteSort = 'recent' | 'usage'

export interface InviteCodeDetail {
  code: string
  /** Total uses the code allows (the lexicon's `available`). */
  available: number
  disabled: boolean
  forAccount: string
  createdBy: string
  createdAt: string
  uses: { usedBy: string; usedAt: string }[]
}

/** Where the previous page ended: its last code and that code's sort key. */
export interface InviteCursor {
  /** created_at for `recent`, the use count for `usage`. */
  key: string | number
  code: string
}

interface CodeRow {
  code: string
  available: number
  disabled: number
  forAccount: string
  createdBy: string
  createdAt: string
  useCount: number
}

const CODE_SELECT = `SELECT c.code, c.available_uses AS available, c.disabled, c.for_account AS forAccount,
  c.created_by AS createdBy, c.created_at AS createdAt,
  (SELECT count(*) FROM invite_code_use u WHERE u.code = c.code) AS useCount FROM invite_code c`

export class AccountAdminStore {
  constructor(private readonly db: Db) {}

  /** DIDs in order after `cursor`; with `email`, those whose address contains it (any case). */
  searchDids(email: string | undefined, cursor: string | undefined, limit: number): string[] {
    return this.db
      .prepare<{ did: string }, [string, string | null, number]>(
        `SELECT did FROM account WHERE did > ?1 AND (?2 IS NULL OR instr(email, ?2) > 0)
          ORDER BY did LIMIT ?3`,
      )
      .all(cursor ?? '', email?.toLowerCase() ?? null, limit)
      .map((row) => row.did)
  }

  invitesDisabled(did: string): boolean {
    const row = this.db
      .prepare<{ d: number }, [string]>('SELECT invites_disabled AS d FROM account WHERE did = ?')
      .get(did)
    return row?.d === 1
  }

  /** Returns whether the account exists. */
  setInvitesDisabled(did: string, disabled: boolean): boolean {
    return (
      this.db.prepare('UPDATE account SET invites_disabled = ? WHERE did = ?').run(disabled ? 1 : 0, did)
        .changes > 0
    )
  }

  /** The code the account signed up with, if any. */
  invitedBy(did: string): InviteCodeDetail | undefined {
    const row = this.db
      .prepare<CodeRow, [string]>(
        `${CODE_SELECT} WHERE c.code = (SELECT code FROM invite_code_use WHERE used_by = ? LIMIT 1)`,
      )
      .get(did)
    return row ? this.withUses([row])[0] : undefined
  }

  /** The codes minted for the account, newest first. */
  codesFor(did: string): InviteCodeDetail[] {
    const rows = this.db
      .prepare<CodeRow, [string]>(`${CODE_SELECT} WHERE c.for_account = ? ORDER BY c.created_at DESC, c.code`)
      .all(did)
    return this.withUses(rows)
  }

  /** One page of every invite code, newest (`recent`) or most used (`usage`) first. */
  inviteCodes(sort: InviteSort, cursor: InviteCursor | undefined, limit: number): InviteCodeDetail[] {
    const key = sort === 'recent' ? 'createdAt' : 'useCount'
    const after = cursor === undefined ? '' : `WHERE (${key}, code) < (?1, ?2)`
    const rows = this.db
      .prepare<CodeRow, [string | number, string, number]>(
        `WITH codes AS (${CODE_SELECT}) SELECT * FROM codes ${after}
          ORDER BY ${key} DESC, code DESC LIMIT ?3`,
      )
      .all(cursor?.key ?? '', cursor?.code ?? '', limit)
    return this.withUses(rows)
  }

  /** Disables the named codes and every code minted for the named accounts. */
  disableCodes(codes: readonly string[], accounts: readonly string[]): void {
    const byCode = this.db.prepare<unknown, [string]>('UPDATE invite_code SET disabled = 1 WHERE code = ?')
    const byAccount = this.db.prepare<unknown, [string]>(
      'UPDATE invite_code SET disabled = 1 WHERE for_account = ?',
    )
    this.db.transaction(() => {
      for (const code of codes) byCode.run(code)
      for (const account of accounts) byAccount.run(account)
    })
  }

  private withUses(rows: CodeRow[]): InviteCodeDetail[] {
    const uses = this.db.prepare<{ usedBy: string; usedAt: string }, [string]>(
      'SELECT used_by AS usedBy, used_at AS usedAt FROM invite_code_use WHERE code = ? ORDER BY used_at',
    )
    return rows.map(({ useCount: _count, disabled, ...row }) => ({
      ...row,
      disabled: disabled === 1,
      uses: uses.all(row.code),
    }))
  }
}
