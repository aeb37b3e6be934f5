/**
 * Accounts, sessions, app passwords, invites and the email-token flows behind one object
 * (`ctx.accounts`). The methods are thin: each flow lives in its own module and receives the
 * shared AccountDeps. The repo service and the sequencer are constructed after this service
 * (the repo needs `signingKey`), so they are passed as getters.
 */
import type { Config } from '../../config/schema.ts'
import { type NonceSource, Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import { normalizeHandle } from '../../core/syntax/handle.ts'
import type { Logger } from '../../lib/logger.ts'
import { type AccountRow, AccountTables } from '../../storage/accounts/index.ts'
import type { Db } from '../../storage/database.ts'
import { AdminAuth } from '../auth/admin-auth.ts'
import { AppPasswordService } from '../auth/app-passwords.ts'
import { LoginLimiter } from '../auth/login-limiter.ts'
import { SessionTokens } from '../auth/session-tokens.ts'
import { type AccessAuth, SessionService } from '../auth/sessions.ts'
import { EmailTokens } from '../email/email-tokens.ts'
import { Mailer, type SmtpSettings } from '../email/mailer.ts'
import { AuthRequiredError, InvalidRequestError } from '../errors.ts'
import { InviteService } from '../invites/invites.ts'
import { serviceDid } from '../server-info.ts'
import { type CreateAccountInput, type CreateAccountResult, createAccount } from './create-account.ts'
import type { AccountDeps, EventPort, IdentityPort, RepoPort } from './deps.ts'
import { accountDidDocument, accountDidWeb, type DidDocument, isAccountIdSyntax } from './did-web.ts'
import * as emailFlows from './email-flows.ts'
import { AccountKeys } from './keys.ts'
import * as lifecycle from './lifecycle.ts'
import { findByIdentifier, type LoginInput, login, verifyAccountPassword } from './login.ts'
import * as migration from './migration.ts'
import { getServiceAuth, type ServiceAuthRequest } from './service-auth.ts'
import { didDocumentOf, type SessionAccountView, sessionAccountView } from './session-view.ts'
import { type AccountStatus, accountStatusOf } from './status.ts'

export interface AccountServiceOptions {
  db: Db
  config: Config
  logger: Logger
  /** Defaults to SMTP from email_smtp_url / email_from_address, and the outbox. */
  mailer?: Mailer
  identity: IdentityPort
  repo: () => RepoPort
  events: () => EventPort
  /** Prepared nonces for account-key signatures (services/signing/nonce-pool.ts). */
  nonces?: NonceSource
  now?: () => number
}

export interface SessionAnswer extends SessionAccountView {
  accessJwt: string
  refreshJwt: string
}

export class AccountService {
  readonly tables: AccountTables
  readonly sessions: SessionService
  readonly appPasswords: AppPasswordService
  readonly invites: InviteService
  readonly adminAuth: AdminAuth
  readonly mailer: Mailer
  private readonly deps: AccountDeps

  constructor(opts: AccountServiceOptions) {
    const now = opts.now ?? Date.now
    const did = serviceDid(opts.config)
    this.tables = new AccountTables(opts.db)
    this.sessions = new SessionService(
      opts.db,
      this.tables.sessions,
      new SessionTokens(opts.config.jwt_secret, did, now),
      now,
    )
    this.appPasswords = new AppPasswordService(this.tables.appPasswords, now)
    this.invites = new InviteService(this.tables.invites, now)
    this.adminAuth = new AdminAuth(opts.config.admin_password)
    this.mailer = opts.mailer ?? new Mailer(this.tables.outbox, smtpSettings(opts.config), opts.logger)
    const rotationHex = opts.config.plc_rotation_private_key_hex
    this.deps = {
      ...opts,
      mailer: this.mailer,
      tables: this.tables,
      keys: new AccountKeys(this.tables, opts.nonces),
      sessions: this.sessions,
      emailTokens: new EmailTokens(this.tables.emailTokens, now),
      invites: this.invites,
      limiter: new LoginLimiter(now),
      serviceDid: did,
      plcRotationKey: rotationHex === undefined ? undefined : Secp256k1Keypair.import(rotationHex),
      now,
    }
  }

  /**
   * The account with this DID or handle (any case). Deleted accounts leave no row, so
   * `includeDeleted` finds nothing more; deactivated and taken-down accounts are returned (see
   * getAccountStatus).
   */
  getAccount(didOrHandle: string, _opts?: { includeDeleted?: boolean }): AccountRow | undefined {
    if (didOrHandle.startsWith('did:')) return this.tables.accounts.byDid(didOrHandle)
    return this.tables.accounts.byHandle(normalizeHandle(didOrHandle))
  }

  getAccountStatus(did: string): AccountStatus {
    return accountStatusOf(this.tables.accounts.byDid(did))
  }

  /** The account's repo signing key; throws MissingSigningKeyError when there is no account. */
  signingKey(did: string): Secp256k1Keypair {
    return this.deps.keys.of(did)
  }

  /** The document of our did:web account `did:web:<host>:users:<id>`; undefined when there is none. */
  didWebDocument(id: string): DidDocument | undefined {
    if (!isAccountIdSyntax(id)) return undefined
    const account = this.tables.accounts.byDid(accountDidWeb(this.deps.config, id))
    if (account === undefined) return undefined
    return accountDidDocument(
      account.did,
      account.handle,
      this.signingKey(account.did).did(),
      this.deps.config.base_url,
    )
  }

  /** The DID that signed a service-auth token for `nsid` addressed to this server. */
  verifyServiceAuth(token: string, nsid: string): Promise<{ did: string }> {
    return this.deps.identity.verifyServiceJwt(token, this.deps.serviceDid, nsid)
  }

  createAccount(input: CreateAccountInput, requester: string | null): Promise<CreateAccountResult> {
    return createAccount(this.deps, input, requester)
  }

  /** The account with this handle (a bare name gets the service domain), DID or email address. */
  findByIdentifier(identifier: string): AccountRow | undefined {
    return findByIdentifier(this.deps, identifier)
  }

  /** The account of `identifier` whose own password (not an app password) is `password`. */
  verifyAccountPassword(identifier: string, password: string, ip: string): Promise<AccountRow> {
    return verifyAccountPassword(this.deps, identifier, password, ip)
  }

  async login(input: LoginInput): Promise<SessionAnswer> {
    const { account, accessJwt, refreshJwt } = await login(this.deps, input)
    return { ...(await this.view(account)), accessJwt, refreshJwt }
  }

  async getSession(auth: AccessAuth): Promise<SessionAccountView> {
    return this.view(this.existing(auth.did))
  }

  /** Rotates the refresh token (a deleted account has no sessions left, so that fails first). */
  async refreshSession(did: string, tokenId: string): Promise<SessionAnswer> {
    if (this.tables.accounts.byDid(did)?.takedownRef) {
      throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
    }
    const { accessJwt, refreshJwt } = await this.sessions.rotate(did, tokenId)
    return { ...(await this.view(this.existing(did))), accessJwt, refreshJwt }
  }

  // The remaining flows are delegated as they are to their modules.
  requestEmailConfirmation = (did: string) => emailFlows.requestEmailConfirmation(this.deps, did)
  confirmEmail = (did: string | null, email: string, token: string) =>
    emailFlows.confirmEmail(this.deps, did, email, token)
  requestEmailUpdate = (did: string) => emailFlows.requestEmailUpdate(this.deps, did)
  updateEmail = (did: string, email: string, token?: string) =>
    emailFlows.updateEmail(this.deps, did, email, token)
  requestPasswordReset = (email: string) => emailFlows.requestPasswordReset(this.deps, email)
  resetPassword = (token: string, password: string) => emailFlows.resetPassword(this.deps, token, password)
  requestAccountDelete = (did: string) => emailFlows.requestAccountDelete(this.deps, did)
  requestPlcOperationToken = (did: string) => emailFlows.requestPlcOperationToken(this.deps, did)
  spendPlcOperationToken = (did: string, token: string) =>
    emailFlows.spendPlcOperationToken(this.deps, did, token)

  deactivateAccount = (did: string, deleteAfter?: string) =>
    lifecycle.deactivateAccount(this.deps, did, deleteAfter)
  activateAccount = (did: string) => lifecycle.activateAccount(this.deps, did)
  deleteAccount = (input: lifecycle.DeleteAccountInput) => lifecycle.deleteAccount(this.deps, input)
  deleteAccountAsAdmin = (did: string) => lifecycle.deleteAccountAsAdmin(this.deps, did)
  checkAccountStatus = (did: string) => migration.checkAccountStatus(this.deps, did)
  reserveSigningKey = (did?: string) => migration.reserveSigningKey(this.deps, did)
  getServiceAuth = (auth: AccessAuth, req: ServiceAuthRequest) => getServiceAuth(this.deps, auth, req)

  private existing(did: string): AccountRow {
    const account = this.tables.accounts.byDid(did)
    if (account === undefined) {
      throw new InvalidRequestError(`Could not find account: ${did}`, 'AccountNotFound')
    }
    return account
  }

  private async view(account: AccountRow): Promise<SessionAccountView> {
    return sessionAccountView(account, await didDocumentOf(this.deps, account))
  }
}

function smtpSettings(config: Config): SmtpSettings | undefined {
  const { email_smtp_url: url, email_from_address: from } = config
  return url === undefined || from === undefined ? undefined : { url, from }
}
