/**
 * The email-token flows of com.atproto.server: confirm an address, change it, reset a forgotten
 * password, and (in lifecycle.ts) delete the account. Each request mails a one-time code (see
 * email/email-tokens.ts); each completion checks and spends the code in the same transaction as
 * the change it authorizes. requestPasswordReset answers the same whether or not the address is
 * known, so it cannot be used to find accounts.
 */
import type { AccountRow } from '../../storage/accounts/index.ts'
import { UniqueViolationError } from '../../storage/accounts/index.ts'
import { hashPassword } from '../auth/password.ts'
import type { EmailTokenPurpose } from '../email/email-tokens.ts'
import { tokenEmail } from '../email/templates.ts'
import { InvalidRequestError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { normalizeEmail, parseEmail } from './email-address.ts'
import { assertNewPassword } from './passwords.ts'

export async function requestEmailConfirmation(deps: AccountDeps, did: string): Promise<void> {
  await mailToken(deps, accountWithEmail(deps, did), 'confirm_email')
}

/** `did` is null only when testing_allow_unauthenticated_email_confirm lets anyone confirm. */
export function confirmEmail(deps: AccountDeps, did: string | null, email: string, token: string): void {
  const address = normalizeEmail(email)
  const account = did === null ? deps.tables.accounts.byEmail(address) : deps.tables.accounts.byDid(did)
  if (account === undefined) throw new InvalidRequestError('Account not found', 'AccountNotFound')
  if (account.email !== address) throw new InvalidRequestError('Invalid email', 'InvalidEmail')
  deps.db.transaction(() => {
    deps.emailTokens.check(account.did, 'confirm_email', token)
    deps.emailTokens.consume(account.did, 'confirm_email')
    deps.tables.accounts.setEmailConfirmed(account.did, nowIso(deps))
  })
}

/** A code goes to the current address only when it is confirmed (otherwise none is needed). */
export async function requestEmailUpdate(
  deps: AccountDeps,
  did: string,
): Promise<{ tokenRequired: boolean }> {
  const account = existing(deps, did)
  const tokenRequired = hasEmail(account) && account.emailConfirmedAt !== null
  if (tokenRequired) await mailToken(deps, account, 'update_email')
  return { tokenRequired }
}

export function updateEmail(deps: AccountDeps, did: string, email: string, token: string | undefined): void {
  const address = parseEmail(email)
  const account = existing(deps, did)
  const tokenRequired = account.email !== null && account.emailConfirmedAt !== null
  if (tokenRequired && (token === undefined || token === '')) {
    throw new InvalidRequestError('Confirmation token required', 'TokenRequired')
  }
  deps.db.transaction(() => {
    if (tokenRequired) {
      deps.emailTokens.check(did, 'update_email', token!)
      deps.emailTokens.consume(did, 'update_email')
    }
    if (address === account.email) return
    const confirmedAt = deps.config.testing_auto_confirm_email ? nowIso(deps) : null
    try {
      deps.tables.accounts.setEmail(did, address, confirmedAt)
    } catch (err) {
      if (err instanceof UniqueViolationError) {
        throw new InvalidRequestError('This email address is already in use, please use a different email.')
      }
      throw err
    }
  })
}

export async function requestPasswordReset(deps: AccountDeps, email: string): Promise<void> {
  const account = deps.tables.accounts.byEmail(normalizeEmail(email))
  if (account !== undefined && hasEmail(account)) await mailToken(deps, account, 'reset_password')
}

/** Sets the new password and ends every session and app password of the account. */
export async function resetPassword(deps: AccountDeps, token: string, password: string): Promise<void> {
  assertNewPassword(password, 'InvalidRequest')
  const did = deps.emailTokens.findAccount('reset_password', token)
  const hash = await hashPassword(password)
  deps.db.transaction(() => {
    deps.emailTokens.check(did, 'reset_password', token)
    deps.emailTokens.consume(did, 'reset_password')
    deps.tables.accounts.setPasswordHash(did, hash)
    deps.sessions.revokeAllInTx(did)
    deps.tables.appPasswords.deleteAll(did)
  })
}

export async function requestAccountDelete(deps: AccountDeps, did: string): Promise<void> {
  await mailToken(deps, accountWithEmail(deps, did), 'delete_account')
}

/** For com.atproto.identity.requestPlcOperationSignature. */
export async function requestPlcOperationToken(deps: AccountDeps, did: string): Promise<void> {
  await mailToken(deps, accountWithEmail(deps, did), 'plc_operation')
}

/** Checks and spends a PLC-operation code (com.atproto.identity.signPlcOperation). */
export function spendPlcOperationToken(deps: AccountDeps, did: string, token: string): void {
  deps.db.transaction(() => {
    deps.emailTokens.check(did, 'plc_operation', token)
    deps.emailTokens.consume(did, 'plc_operation')
  })
}

type AccountWithEmail = AccountRow & { email: string }

async function mailToken(deps: AccountDeps, account: AccountWithEmail, purpose: EmailTokenPurpose) {
  const issued = deps.emailTokens.issue(account.did, purpose)
  const composed = tokenEmail(purpose, { hostname: deps.config.hostname, handle: account.handle, ...issued })
  await deps.mailer.send({ to: account.email, purpose, ...composed })
}

function existing(deps: AccountDeps, did: string): AccountRow {
  const account = deps.tables.accounts.byDid(did)
  if (account === undefined) throw new InvalidRequestError('Account not found', 'AccountNotFound')
  return account
}

function hasEmail(account: AccountRow): account is AccountWithEmail {
  return account.email !== null
}

function accountWithEmail(deps: AccountDeps, did: string): AccountWithEmail {
  const account = existing(deps, did)
  if (!hasEmail(account)) throw new InvalidRequestError('Account does not have an email address')
  return account
}

function nowIso(deps: AccountDeps): string {
  return new Date(deps.now()).toISOString()
}
