/** The account tables' statement bundles, built once over one Db. */
import type { Db } from '../database.ts'
import { AccountStore } from './account-store.ts'
import { AppPasswordStore } from './app-password-store.ts'
import { EmailTokenStore } from './email-token-store.ts'
import { InviteStore } from './invite-store.ts'
import { OutboxStore } from './outbox-store.ts'
import { ReservedKeyStore } from './reserved-key-store.ts'
import { SessionStore } from './session-store.ts'

export type { AccountRow, NewAccount } from './account-store.ts'
export type { AppPasswordRow } from './app-password-store.ts'
export type { EmailTokenRow } from './email-token-store.ts'
export { UniqueViolationError } from './errors.ts'
export type { InviteCodeRow } from './invite-store.ts'
export type { NewOutboxMessage, OutboxMessage, OutboxStatus } from './outbox-store.ts'
export type { LiveSession, NewSession, RefreshTokenRow, SessionScope } from './session-store.ts'
export {
  AccountStore,
  AppPasswordStore,
  EmailTokenStore,
  InviteStore,
  OutboxStore,
  ReservedKeyStore,
  SessionStore,
}

export class AccountTables {
  readonly accounts: AccountStore
  readonly sessions: SessionStore
  readonly appPasswords: AppPasswordStore
  readonly emailTokens: EmailTokenStore
  readonly invites: InviteStore
  readonly reservedKeys: ReservedKeyStore
  readonly outbox: OutboxStore

  constructor(readonly db: Db) {
    this.accounts = new AccountStore(db)
    this.sessions = new SessionStore(db)
    this.appPasswords = new AppPasswordStore(db)
    this.emailTokens = new EmailTokenStore(db)
    this.invites = new InviteStore(db)
    this.reservedKeys = new ReservedKeyStore(db)
    this.outbox = new OutboxStore(db)
  }
}
