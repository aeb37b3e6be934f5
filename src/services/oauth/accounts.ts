/**
 * What the OAuth pages need from the account service (AccountService satisfies it), as a port:
 * look an account up, and check its own password. An app password is never accepted here: OAuth
 * exists so that apps do not need one, and a leaked app password must not be able to authorize
 * new apps.
 */
import type { AccountRow } from '../../storage/accounts/index.ts'

export interface OAuthAccounts {
  /**
   * The account with this handle (a bare name gets the service domain), DID or email address
   * whose own password is `password`. Throws AuthRequiredError for a wrong identifier or password
   * and RateLimitExceededError after too many failures, as a password login does.
   */
  verifyAccountPassword(identifier: string, password: string, ip: string): Promise<AccountRow>
  /** The account with this DID, handle or email address. */
  findByIdentifier(identifier: string): AccountRow | undefined
}
