/**
 * What the admin operations need, built once by AdminService: the account service (accounts,
 * sessions, deletion), identity (handle updates, the PLC directory, the DID cache), the admin's
 * account queries, the mailer and the sequencer's `#identity` event.
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import type { AccountAdminStore } from '../../storage/moderation/index.ts'
import type { AccountService } from '../accounts/account-service.ts'
import type { Mailer } from '../email/mailer.ts'
import type { IdentityService } from '../identity/index.ts'

export interface AdminEvents {
  sequenceIdentityInTx(did: string, handle?: string): unknown
}

export interface AdminDeps {
  readonly db: Db
  readonly config: Config
  readonly logger: Logger
  readonly store: AccountAdminStore
  readonly accounts: AccountService
  readonly identity: Pick<IdentityService, 'updateHandle' | 'plc' | 'dids'>
  readonly mailer: Mailer
  readonly events: AdminEvents
}
