/**
 * Which repository a request may touch, answered as the reference PDS does. Writes: the `repo`
 * (handle or DID) must be an existing, active account (403 AccountNotFound, 401 AccountTakedown,
 * 401 AccountDeactivated) and be the caller's own (401). Public reads see only active accounts.
 */
import { AuthRequiredError, ForbiddenError, InvalidRequestError } from '../errors.ts'
import type { RepoAccount, RepoAccounts } from './types.ts'

export function writableRepo(accounts: RepoAccounts, repo: string, authDid: string): RepoAccount {
  const account = accounts.getAccount(repo)
  if (!account) throw new ForbiddenError('Account not found', 'AccountNotFound')
  if (account.takedownRef !== null)
    throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
  if (account.deactivatedAt !== null)
    throw new AuthRequiredError('Account is deactivated', 'AccountDeactivated')
  if (account.did !== authDid) throw new AuthRequiredError()
  return account
}

/** The active account behind `repo`, or InvalidRequest `Could not find repo`. */
export function readableRepo(accounts: RepoAccounts, repo: string): RepoAccount {
  const account = accounts.getAccount(repo)
  if (!account || account.takedownRef !== null || account.deactivatedAt !== null) {
    throw new InvalidRequestError(`Could not find repo: ${repo}`)
  }
  return account
}

/** sync.* availability (the reference's assertRepoAvailability): the owner always passes. */
export function availableRepo(accounts: RepoAccounts, did: string, requesterDid: string | null): RepoAccount {
  const account = accounts.getAccount(did)
  if (!account) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
  if (requesterDid === account.did) return account
  if (account.takedownRef !== null)
    throw new InvalidRequestError(`Repo has been takendown: ${did}`, 'RepoTakendown')
  if (account.deactivatedAt !== null) {
    throw new InvalidRequestError(`Repo has been deactivated: ${did}`, 'RepoDeactivated')
  }
  return account
}
