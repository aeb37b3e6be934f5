/**
 * The OAuth pages' view of the account service (accounts.ts): identifier lookup as
 * createSession does it (DID, email, handle, or a bare name under the service domain), and a
 * check of the account's own password with the same failure answer, timing and brute-force
 * limit as a password login, but without app passwords.
 */
import { normalizeHandle } from '../../core/syntax/handle.ts'
import type { AccountRow, AccountTables } from '../../storage/accounts/index.ts'
import { normalizeEmail } from '../accounts/email-address.ts'
import { LoginLimiter, loginKey } from '../auth/login-limiter.ts'
import { burnPasswordCheck, verifyPassword } from '../auth/password.ts'
import { AuthRequiredError } from '../errors.ts'
import type { OAuthAccounts } from './accounts.ts'

export function oauthAccounts(
  tables: AccountTables,
  handleDomain: string,
  limiter = new LoginLimiter(),
): OAuthAccounts {
  const rows = tables.accounts
  const find = (identifier: string): AccountRow | undefined => {
    const trimmed = identifier.trim()
    // DIDs are case-sensitive (did:web percent-escapes are upper-case); handles and emails are not.
    if (trimmed.startsWith('did:')) return rows.byDid(trimmed)
    const id = trimmed.toLowerCase()
    if (id.includes('@')) return rows.byEmail(normalizeEmail(id))
    return rows.byHandle(normalizeHandle(id.includes('.') ? id : `${id}.${handleDomain}`))
  }
  const verify = async (identifier: string, password: string, ip: string): Promise<AccountRow> => {
    const account = find(identifier)
    const key = loginKey(account?.did ?? identifier.trim().toLowerCase(), ip)
    limiter.check(key)
    const hash = account === undefined ? undefined : rows.passwordHash(account.did)
    const ok =
      hash === undefined
        ? await burnPasswordCheck(password).then(() => false)
        : await verifyPassword(password, hash)
    if (account === undefined || !ok) {
      limiter.recordFailure(key)
      throw new AuthRequiredError('Invalid identifier or password')
    }
    if (account.takedownRef !== null)
      throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
    limiter.reset(key)
    return account
  }
  return { find, verifyPassword: verify }
}
