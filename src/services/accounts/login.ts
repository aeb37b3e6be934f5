/**
 * createSession: the identifier is a handle (a bare name gets the service domain), a DID or an
 * email address, matched case-insensitively. The password is the account password (a full
 * session) or one of its app passwords (an app-password session of that password's privilege).
 * Every failure is the same 401 "Invalid identifier or password", takes the same time (an
 * unknown identifier still runs one scrypt), and counts towards the per-account-and-IP limit.
 * Taken-down accounts are refused after the password check, as the reference does, unless the
 * client passes `allowTakendown`: then the account password (never an app password) opens a
 * restricted `takendown` session (services/moderation/takendown-session.ts). Deactivated
 * accounts may log in and see `active: false`. The OAuth sign-in (verifyAccountPassword) shares
 * the lookup, the answer, the timing and the limit, but takes only the account password.
 */
import { normalizeHandle } from '../../core/syntax/handle.ts'
import type { AccountRow } from '../../storage/accounts/index.ts'
import { loginKey } from '../auth/login-limiter.ts'
import { burnPasswordCheck, hashAppPassword, verifyPassword } from '../auth/password.ts'
import type { AccessScope } from '../auth/session-tokens.ts'
import type { SessionPair } from '../auth/sessions.ts'
import { AuthRequiredError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { normalizeEmail } from './email-address.ts'

export interface LoginInput {
  identifier: string
  password: string
  /** The client's IP address, for the failed-login limit. */
  ip: string
  /** Give a taken-down account its restricted session instead of AccountTakedown. */
  allowTakendown?: boolean | undefined
}

export interface LoginResult extends SessionPair {
  account: AccountRow
  scope: AccessScope
}

/** What a password check needs: the account tables, the failed-login limiter, the handle domain. */
export type LoginDeps = Pick<AccountDeps, 'tables' | 'limiter' | 'config'>

interface Credential {
  scope: AccessScope
  appPasswordName: string | null
}

export async function login(deps: AccountDeps, input: LoginInput): Promise<LoginResult> {
  const { account, credential } = await passwordAttempt(deps, input, async (account) => {
    const credential = await checkPassword(deps, account.did, input.password)
    // A taken-down account may only use its own password (for the restricted session).
    return account.takedownRef === null || credential?.scope === 'access' ? credential : undefined
  })
  const scope: AccessScope = account.takedownRef !== null ? 'takendown' : credential.scope
  const pair = await deps.sessions.create(account.did, scope, credential.appPasswordName)
  return { ...pair, account, scope }
}

/**
 * The account of `identifier` whose own password is `password` (never an app password: the
 * OAuth sign-in), with the failure answer, timing and failed-login limit of createSession.
 */
export async function verifyAccountPassword(
  deps: LoginDeps,
  identifier: string,
  password: string,
  ip: string,
): Promise<AccountRow> {
  const { account } = await passwordAttempt(deps, { identifier, password, ip }, async (account) =>
    (await isAccountPassword(deps, account.did, password)) ? true : undefined,
  )
  return account
}

/**
 * Looks the identifier up and runs `check` under the per-account-and-IP limit: an unknown
 * identifier still runs one scrypt, every failure is the same 401 and counts; a taken-down
 * account is refused after the check unless the input allows it.
 */
async function passwordAttempt<T>(
  deps: LoginDeps,
  input: LoginInput,
  check: (account: AccountRow) => Promise<T | undefined>,
): Promise<{ account: AccountRow; credential: T }> {
  const identifier = input.identifier.trim()
  const account = findByIdentifier(deps, identifier)
  const key = loginKey(account?.did ?? identifier.toLowerCase(), input.ip)
  deps.limiter.check(key)
  const credential = account === undefined ? undefined : await check(account)
  if (account === undefined) await burnPasswordCheck(input.password)
  if (account === undefined || credential === undefined) {
    deps.limiter.recordFailure(key)
    throw new AuthRequiredError('Invalid identifier or password')
  }
  if (account.takedownRef !== null && !input.allowTakendown)
    throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
  deps.limiter.reset(key)
  return { account, credential }
}

/** DIDs match exactly (did:web ids may hold `%3A`); handles and emails ignore case. */
export function findByIdentifier(deps: LoginDeps, identifier: string): AccountRow | undefined {
  const { accounts } = deps.tables
  const id = identifier.trim()
  if (id.startsWith('did:')) return accounts.byDid(id)
  if (id.includes('@')) return accounts.byEmail(normalizeEmail(id))
  const name = normalizeHandle(id)
  return accounts.byHandle(name.includes('.') ? name : `${name}.${deps.config.service_handle_domain}`)
}

/** The account password, or else an app password; undefined when neither matches. */
async function checkPassword(
  deps: AccountDeps,
  did: string,
  password: string,
): Promise<Credential | undefined> {
  const hash = deps.tables.accounts.passwordHash(did)
  if (hash !== undefined && (await verifyPassword(password, hash)))
    return { scope: 'access', appPasswordName: null }
  const appPassword = deps.tables.appPasswords.byHash(did, await hashAppPassword(did, password))
  if (appPassword === undefined) return undefined
  return {
    scope: appPassword.privileged ? 'appPassPrivileged' : 'appPass',
    appPasswordName: appPassword.name,
  }
}

/** True when `password` is the account password (not an app password); for deleteAccount. */
export async function isAccountPassword(
  deps: Pick<AccountDeps, 'tables'>,
  did: string,
  password: string,
): Promise<boolean> {
  const hash = deps.tables.accounts.passwordHash(did)
  return hash !== undefined && (await verifyPassword(password, hash))
}
