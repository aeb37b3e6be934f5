/**
 * Invite codes: minted by the admin (XRPC with admin auth, or `perlsky admin create-invite`),
 * spent by createAccount when `invite_code_required` is on. A code looks like
 * `perlsky-0123456789ab` (12 lower-case hex digits, 48 random bits) and is available while it is
 * not disabled and has uses left. Spending re-checks availability inside the sign-up transaction,
 * so two sign-ups cannot both take the last use.
 */
import { randomBytes } from 'node:crypto'
import type { InviteStore } from '../../storage/accounts/index.ts'
import { InvalidRequestError } from '../errors.ts'

export const INVITE_CODE_PREFIX = 'perlsky-'
export const INVITE_CODE_PATTERN = /^perlsky-[0-9a-f]{12}$/
/** `forAccount` of codes minted by the operator rather than for an account. */
export const ADMIN_ACCOUNT = 'admin'
export const MAX_CODES_PER_REQUEST = 1000

export interface InviteCodeView {
  code: string
  available: number
  disabled: boolean
  forAccount: string
  createdBy: string
  createdAt: string
  uses: { usedBy: string; usedAt: string }[]
}

export interface MintOptions {
  useCount: number
  forAccount?: string | undefined
}

export class InviteService {
  constructor(
    private readonly store: InviteStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Mints one code; `createdBy` is "admin" for operator-minted codes. */
  mint(opts: MintOptions, createdBy = ADMIN_ACCOUNT): string {
    if (!Number.isSafeInteger(opts.useCount) || opts.useCount < 1) {
      throw new InvalidRequestError('useCount must be a positive integer')
    }
    const code = generateInviteCode()
    this.store.insert(code, opts.useCount, opts.forAccount ?? ADMIN_ACCOUNT, createdBy, this.nowIso())
    return code
  }

  /** `codeCount` codes for each of `forAccounts` (or for the admin when none are named). */
  mintMany(
    codeCount: number,
    useCount: number,
    forAccounts: readonly string[],
  ): { account: string; codes: string[] }[] {
    const accounts = forAccounts.length > 0 ? forAccounts : [ADMIN_ACCOUNT]
    if (
      !Number.isSafeInteger(codeCount) ||
      codeCount < 1 ||
      codeCount * accounts.length > MAX_CODES_PER_REQUEST
    ) {
      throw new InvalidRequestError(
        `codeCount must be a positive integer (at most ${MAX_CODES_PER_REQUEST} codes in all)`,
      )
    }
    return accounts.map((account) => ({
      account,
      codes: Array.from({ length: codeCount }, () => this.mint({ useCount, forAccount: account })),
    }))
  }

  /**
   * Throws InvalidInviteCode unless the code exists, is enabled, has a use left, and the account
   * it was minted for may invite (com.atproto.admin.disableAccountInvites, takedowns).
   */
  assertAvailable(code: string | undefined): asserts code is string {
    if (code === undefined || code === '') {
      throw new InvalidRequestError('No invite code provided', 'InvalidInviteCode')
    }
    const row = this.store.get(code.trim().toLowerCase())
    const usable = row !== undefined && row.disabled === 0 && row.ownerBlocked === 0
    if (!usable || row.useCount >= row.availableUses) {
      throw new InvalidRequestError('Provided invite code not available', 'InvalidInviteCode')
    }
  }

  /** Checks and records one use; call inside the sign-up transaction. */
  spendInTx(code: string, usedBy: string): void {
    this.assertAvailable(code)
    this.store.recordUse(code.trim().toLowerCase(), usedBy, this.nowIso())
  }

  /** The account's codes as com.atproto.server.defs#inviteCode (`available` is the total uses). */
  listForAccount(did: string, includeUsed: boolean): InviteCodeView[] {
    const rows = this.store.forAccount(did)
    return rows
      .filter((row) => includeUsed || row.uses.length < row.availableUses)
      .map(({ availableUses, ...row }) => ({ ...row, available: availableUses }))
  }

  setDisabled(code: string, disabled: boolean): boolean {
    return this.store.setDisabled(code, disabled)
  }

  /** Removes the codes minted for a deleted account. */
  deleteForAccountInTx(did: string): void {
    this.store.deleteForAccount(did)
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString()
  }
}

export function generateInviteCode(): string {
  return INVITE_CODE_PREFIX + randomBytes(6).toString('hex')
}
