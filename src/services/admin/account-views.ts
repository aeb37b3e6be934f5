/**
 * com.atproto.admin.getAccountInfo(s) and searchAccounts: accounts as the admin sees them
 * (com.atproto.admin.defs#accountView), deactivated and taken-down ones included, with the codes
 * minted for them, the code they signed up with and whether their invites are disabled.
 * Whether an account is taken down is getSubjectStatus's answer, as in the reference.
 */
import type { AccountRow } from '../../storage/accounts/index.ts'
import type { InviteCodeDetail } from '../../storage/moderation/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { AdminDeps } from './deps.ts'

export interface AccountView {
  did: string
  handle: string
  email?: string
  indexedAt: string
  emailConfirmedAt?: string
  invitedBy?: InviteCodeDetail
  invites: InviteCodeDetail[]
  invitesDisabled: boolean
  deactivatedAt?: string
}

export interface AccountPage {
  accounts: AccountView[]
  cursor?: string
}

export function getAccountInfo(deps: AdminDeps, did: string): AccountView {
  const account = deps.accounts.tables.accounts.byDid(did)
  if (account === undefined) throw new InvalidRequestError('Account not found', 'NotFound')
  return accountView(deps, account)
}

/** The accounts that exist among `dids`, in the order asked (unknown DIDs are left out). */
export function getAccountInfos(deps: AdminDeps, dids: readonly string[]): AccountView[] {
  const views: AccountView[] = []
  for (const did of new Set(dids)) {
    const account = deps.accounts.tables.accounts.byDid(did)
    if (account !== undefined) views.push(accountView(deps, account))
  }
  return views
}

/** Accounts in DID order; with `email`, those whose address contains it (any case). */
export function searchAccounts(
  deps: AdminDeps,
  query: { email?: string | undefined; cursor?: string | undefined; limit: number },
): AccountPage {
  const dids = deps.store.searchDids(query.email, query.cursor, query.limit)
  const accounts = getAccountInfos(deps, dids)
  return dids.length < query.limit ? { accounts } : { accounts, cursor: dids.at(-1)! }
}

function accountView(deps: AdminDeps, account: AccountRow): AccountView {
  const invitedBy = deps.store.invitedBy(account.did)
  return {
    did: account.did,
    handle: account.handle,
    ...(account.email === null ? {} : { email: account.email }),
    indexedAt: account.createdAt,
    ...(account.emailConfirmedAt === null ? {} : { emailConfirmedAt: account.emailConfirmedAt }),
    ...(invitedBy === undefined ? {} : { invitedBy }),
    invites: deps.store.codesFor(account.did),
    invitesDisabled: deps.store.invitesDisabled(account.did),
    ...(account.deactivatedAt === null ? {} : { deactivatedAt: account.deactivatedAt }),
  }
}
