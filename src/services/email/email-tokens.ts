/**
 * One-time codes sent by email: purpose-bound (a password-reset code cannot confirm an email),
 * single-use (deleted in the transaction that applies the change), expiring after
 * EMAIL_TOKEN_LIFETIME_MS (15 minutes, as the reference PDS), and stored only as SHA-256 digests
 * compared in constant time. Format as the reference: `XXXXX-XXXXX`, 10 base32 characters
 * (50 random bits); input is trimmed and upper-cased, so a code typed in lower case still works.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { EmailTokenStore } from '../../storage/accounts/index.ts'
import { InvalidRequestError } from '../errors.ts'

export const EMAIL_TOKEN_LIFETIME_MS = 15 * 60 * 1000

export type EmailTokenPurpose =
  | 'confirm_email'
  | 'update_email'
  | 'reset_password'
  | 'delete_account'
  | 'plc_operation'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export interface IssuedToken {
  token: string
  expiresAt: Date
}

export class EmailTokens {
  constructor(
    private readonly store: EmailTokenStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new code for (did, purpose), replacing any earlier one. */
  issue(did: string, purpose: EmailTokenPurpose): IssuedToken {
    const token = randomToken()
    const now = this.now()
    const expiresAt = new Date(now + EMAIL_TOKEN_LIFETIME_MS)
    this.store.upsert(did, purpose, digest(token), new Date(now).toISOString(), expiresAt.toISOString())
    return { token, expiresAt }
  }

  /** Throws InvalidToken / ExpiredToken unless `token` is the account's live code for `purpose`. */
  check(did: string, purpose: EmailTokenPurpose, token: string): void {
    const row = this.store.get(did, purpose)
    const given = digest(normalize(token))
    if (row === undefined || !timingSafeEqual(given, row.tokenHash)) {
      throw new InvalidRequestError('Token is invalid', 'InvalidToken')
    }
    this.checkExpiry(row.expiresAt)
  }

  /** The account whose live code for `purpose` is `token` (resetPassword names no account). */
  findAccount(purpose: EmailTokenPurpose, token: string): string {
    const row = this.store.byHash(purpose, digest(normalize(token)))
    if (row === undefined) throw new InvalidRequestError('Token is invalid', 'InvalidToken')
    this.checkExpiry(row.expiresAt)
    return row.did
  }

  /** Spends the code; call in the transaction that applies what it authorized. */
  consume(did: string, purpose: EmailTokenPurpose): void {
    this.store.delete(did, purpose)
  }

  private checkExpiry(expiresAt: string): void {
    if (expiresAt <= new Date(this.now()).toISOString()) {
      throw new InvalidRequestError('Token is expired', 'ExpiredToken')
    }
  }
}

function randomToken(): string {
  const bytes = randomBytes(10)
  let out = ''
  for (let i = 0; i < 10; i++) {
    if (i === 5) out += '-'
    out += BASE32[bytes[i]! & 31]
  }
  return out
}

function normalize(token: string): string {
  return token.trim().toUpperCase()
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}
