/**
 * What the moderation flows need, built once by ModerationService: the moderation tables, the
 * record index and blob rows (to name what a takedown hides), the accounts service (account
 * takedowns, sessions, deactivation) and the sequencer (the `#account` events).
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import type { ModerationTables } from '../../storage/moderation/index.ts'
import type { BlobRows, RecordIndex } from '../../storage/repo/index.ts'
import type { AccountService } from '../accounts/account-service.ts'

export interface ModerationEvents {
  sequenceAccountInTx(did: string, active: boolean, status?: string): unknown
}

export interface ModerationDeps {
  readonly db: Db
  readonly config: Config
  readonly logger: Logger
  readonly tables: ModerationTables
  readonly records: Pick<RecordIndex, 'getCid'>
  readonly blobs: Pick<BlobRows, 'get'>
  readonly accounts: AccountService
  readonly events: ModerationEvents
  readonly now: () => number
}
