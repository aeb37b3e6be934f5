/**
 * The com.atproto.admin account operations behind one object (`ctx.admin`), plus the sign-up
 * helpers of com.atproto.temp. Takedowns and reports are `ctx.moderation`'s. Each operation lives
 * in its own module and receives the shared AdminDeps; methods here only delegate.
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import type { AccountAdminStore } from '../../storage/moderation/index.ts'
import type { AccountService } from '../accounts/account-service.ts'
import type { Mailer } from '../email/mailer.ts'
import * as updates from './account-updates.ts'
import * as views from './account-views.ts'
import type { AdminDeps, AdminEvents } from './deps.ts'
import { checkHandleAvailability } from './handle-availability.ts'
import * as invites from './invites.ts'
import { type SendEmailInput, sendEmail } from './send-email.ts'
import { updateAccountSigningKey } from './signing-key.ts'

export interface AdminServiceOptions {
  db: Db
  config: Config
  logger: Logger
  store: AccountAdminStore
  accounts: AccountService
  identity: AdminDeps['identity']
  mailer: Mailer
  events: AdminEvents
}

export class AdminService {
  private readonly deps: AdminDeps

  constructor(opts: AdminServiceOptions) {
    this.deps = opts
  }

  getAccountInfo = (did: string) => views.getAccountInfo(this.deps, did)
  getAccountInfos = (dids: readonly string[]) => views.getAccountInfos(this.deps, dids)
  searchAccounts = (query: { email?: string | undefined; cursor?: string | undefined; limit: number }) =>
    views.searchAccounts(this.deps, query)

  updateAccountEmail = (account: string, email: string) =>
    updates.updateAccountEmail(this.deps, account, email)
  updateAccountPassword = (did: string, password: string) =>
    updates.updateAccountPassword(this.deps, did, password)
  updateAccountHandle = (did: string, handle: string) => updates.updateAccountHandle(this.deps, did, handle)
  updateAccountSigningKey = (did: string, signingKey: string) =>
    updateAccountSigningKey(this.deps, did, signingKey)
  deleteAccount = (did: string) => updates.deleteAccount(this.deps, did)

  getInviteCodes = (query: { sort: string; limit: number; cursor?: string | undefined }) =>
    invites.getInviteCodes(this.deps, query)
  disableInviteCodes = (input: { codes?: readonly string[]; accounts?: readonly string[] }) =>
    invites.disableInviteCodes(this.deps, input)
  setAccountInvitesDisabled = (did: string, disabled: boolean) =>
    invites.setAccountInvitesDisabled(this.deps, did, disabled)

  sendEmail = (input: SendEmailInput) => sendEmail(this.deps, input)

  checkHandleAvailability = (input: { handle: string; email?: string; birthDate?: string }) =>
    checkHandleAvailability(this.deps, input)
}
