/**
 * The admin's changes to an account (com.atproto.admin.updateAccountEmail, updateAccountPassword,
 * updateAccountHandle, deleteAccount), on the admin's word alone: no email code, no password.
 * - email: any free, well-formed address; it becomes unconfirmed, and codes mailed to the old
 *   address stop working.
 * - password: the account rules for a new password; every session and app password ends, as
 *   after a password reset.
 * - handle: the one handle-update path (identity/handle-update.ts): the same checks as the
 *   account's own updateHandle, the DID document first, then the `#identity` event.
 * - delete: the account deletion path (accounts/lifecycle.ts) without its password and code.
 */
import { UniqueViolationError } from '../../storage/accounts/index.ts'
import { parseEmail } from '../accounts/email-address.ts'
import { assertNewPassword } from '../accounts/passwords.ts'
import { hashPassword } from '../auth/password.ts'
import { InvalidRequestError } from '../errors.ts'
import type { AdminDeps } from './deps.ts'

export function updateAccountEmail(deps: AdminDeps, account: string, email: string): void {
  const did = existingDid(deps, account)
  const address = parseEmail(email)
  const { tables } = deps.accounts
  deps.db.transaction(() => {
    try {
      tables.accounts.setEmail(did, address, null)
    } catch (err) {
      if (err instanceof UniqueViolationError) {
        throw new InvalidRequestError('This email address is already in use, please use a different email.')
      }
      throw err
    }
    tables.emailTokens.delete(did, 'confirm_email')
    tables.emailTokens.delete(did, 'update_email')
  })
  deps.logger.info('account email updated by the admin', { did })
}

export async function updateAccountPassword(deps: AdminDeps, did: string, password: string): Promise<void> {
  existingDid(deps, did)
  assertNewPassword(password, 'InvalidRequest')
  const hash = await hashPassword(password)
  const { tables, sessions } = deps.accounts
  deps.db.transaction(() => {
    tables.accounts.setPasswordHash(did, hash)
    tables.emailTokens.delete(did, 'reset_password')
    sessions.revokeAllInTx(did)
    tables.appPasswords.deleteAll(did)
  })
  deps.logger.info('account password updated by the admin', { did })
}

export async function updateAccountHandle(deps: AdminDeps, did: string, handle: string): Promise<void> {
  existingDid(deps, did)
  await deps.identity.updateHandle(did, handle)
}

export function deleteAccount(deps: AdminDeps, did: string): void {
  deps.accounts.deleteAccountAsAdmin(did)
}

/** The DID of the account a handle or DID names; InvalidRequest when there is none. */
export function existingDid(deps: AdminDeps, account: string): string {
  const found = deps.accounts.getAccount(account)
  if (found === undefined) throw new InvalidRequestError(`Account does not exist: ${account}`)
  return found.did
}
