/**
 * The account part of createSession / getSession / refreshSession answers: who, the handle, the
 * email and whether it is confirmed, the hosting status, and the DID document (which also tells
 * clients such as @atproto/api which PDS to talk to). The documents of our own did:web accounts
 * are built locally; any other DID is resolved, and left out when that fails, as the reference
 * does.
 */
import type { AccountRow } from '../../storage/accounts/index.ts'
import type { AccountDeps } from './deps.ts'
import { accountDidDocument, accountIdOf } from './did-web.ts'
import { accountStatusOf } from './status.ts'

export interface SessionAccountView {
  did: string
  handle: string
  email?: string
  emailConfirmed: boolean
  emailAuthFactor: boolean
  active: boolean
  status?: string
  didDoc?: object
}

export function sessionAccountView(account: AccountRow, didDoc: object | undefined): SessionAccountView {
  const status = accountStatusOf(account)
  return {
    did: account.did,
    handle: account.handle,
    ...(account.email === null ? {} : { email: account.email }),
    emailConfirmed: account.emailConfirmedAt !== null,
    emailAuthFactor: false,
    active: status.active,
    ...(status.status === undefined ? {} : { status: status.status }),
    ...(didDoc === undefined ? {} : { didDoc }),
  }
}

/** True for our own did:web accounts, whose documents this server publishes. */
export function isLocalDidWeb(deps: AccountDeps, did: string): boolean {
  return accountIdOf(deps.config, did) !== undefined
}

export async function didDocumentOf(deps: AccountDeps, account: AccountRow): Promise<object | undefined> {
  if (isLocalDidWeb(deps, account.did)) {
    const key = deps.keys.of(account.did).did()
    return accountDidDocument(account.did, account.handle, key, deps.config.base_url)
  }
  try {
    return await deps.identity.resolveDidDocument(account.did)
  } catch (err) {
    deps.logger.warn('could not resolve a DID document', { did: account.did, err })
    return undefined
  }
}
