/**
 * Deactivation, activation and deletion (spec: account.md; guides/account-lifecycle). Each state
 * change and its `#account` event commit together. Deletion needs the account password (not an
 * app password) and the emailed code, then removes in one transaction the repo (records, blocks,
 * blobs), the account's sessions, app passwords, tokens and invite codes, and the account's
 * earlier events, leaving only the sequenced `#account` event with status `deleted`.
 */
import { loginKey } from '../auth/login-limiter.ts'
import { AuthRequiredError, InvalidRequestError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { isAccountPassword } from './login.ts'
import { accountStatusOf } from './status.ts'

export interface DeleteAccountInput {
  did: string
  password: string
  token: string
  /** The client's IP address, for the failed-password limit. */
  ip: string
}

/** `deleteAfter` is recorded for the operator; the account is not deleted automatically. */
export function deactivateAccount(deps: AccountDeps, did: string, deleteAfter: string | undefined): void {
  deps.db.transaction(() => {
    const changed = deps.tables.accounts.setDeactivated(did, nowIso(deps), deleteAfter ?? null)
    if (changed) announceStatus(deps, did)
  })
}

/**
 * Announces the account (`#account` first, as guides/account-lifecycle recommends), its identity
 * (a migration usually changed the DID document) and its current commit (`#sync`), so downstream
 * services catch up with whatever arrived while it was inactive.
 */
export function activateAccount(deps: AccountDeps, did: string): void {
  deps.db.transaction(() => {
    if (!deps.tables.accounts.setActivated(did)) return
    announceStatus(deps, did)
    deps.events().sequenceIdentityInTx(did, deps.tables.accounts.byDid(did)?.handle)
    deps.repo().sequenceSyncInTx(did)
  })
}

export async function deleteAccount(deps: AccountDeps, input: DeleteAccountInput): Promise<void> {
  const account = deps.tables.accounts.byDid(input.did)
  if (account === undefined) throw new InvalidRequestError('account not found')
  const key = loginKey(account.did, input.ip)
  deps.limiter.check(key)
  if (!(await isAccountPassword(deps, account.did, input.password))) {
    deps.limiter.recordFailure(key)
    throw new AuthRequiredError('Invalid did or password')
  }
  deps.emailTokens.check(account.did, 'delete_account', input.token)
  deps.db.transaction(() => {
    deps.emailTokens.check(account.did, 'delete_account', input.token)
    removeAccountInTx(deps, account.did)
  })
  deps.limiter.reset(key)
  deps.logger.info('account deleted', { did: account.did })
}

/** com.atproto.admin.deleteAccount: the same removal, on the admin's word alone. */
export function deleteAccountAsAdmin(deps: AccountDeps, did: string): void {
  if (deps.tables.accounts.byDid(did) === undefined) throw new InvalidRequestError('account not found')
  deps.db.transaction(() => removeAccountInTx(deps, did))
  deps.logger.info('account deleted by the admin', { did })
}

function removeAccountInTx(deps: AccountDeps, did: string): void {
  deps.repo().deleteRepoInTx(did)
  deps.invites.deleteForAccountInTx(did)
  deps.tables.reservedKeys.delete(did)
  deps.tables.accounts.delete(did)
  deps.events().deleteEventsInTx(did)
  deps.events().sequenceAccountInTx(did, false, 'deleted')
}

function announceStatus(deps: AccountDeps, did: string): void {
  const status = accountStatusOf(deps.tables.accounts.byDid(did))
  deps.events().sequenceAccountInTx(did, status.active, status.status)
}

function nowIso(deps: AccountDeps): string {
  return new Date(deps.now()).toISOString()
}
