/** The moderation tables' statement bundles (takedowns, reports, the admin's account queries). */
import type { Db } from '../database.ts'
import { AccountAdminStore } from './account-admin.ts'
import { ReportStore } from './reports.ts'
import { TakedownStore } from './takedowns.ts'

export type { InviteCodeDetail, InviteCursor, InviteSort } from './account-admin.ts'
export type { NewReport, ReportQuery, ReportRow } from './reports.ts'
export type { BlobTakedown, RecordTakedown } from './takedowns.ts'
export { AccountAdminStore, ReportStore, TakedownStore }

export class ModerationTables {
  readonly takedowns: TakedownStore
  readonly reports: ReportStore
  readonly accounts: AccountAdminStore

  constructor(readonly db: Db) {
    this.takedowns = new TakedownStore(db)
    this.reports = new ReportStore(db)
    this.accounts = new AccountAdminStore(db)
  }
}
