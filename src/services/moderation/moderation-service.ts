/**
 * Moderation behind one object (`ctx.moderation`): subject status and takedowns (admin API), the
 * reports kept here when no report service takes them, and the takedown lookups the read paths
 * make. Each flow lives in its own module; this class wires the shared ModerationDeps.
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import { ModerationTables, type ReportQuery, type ReportRow } from '../../storage/moderation/index.ts'
import { BlobRows, RecordIndex } from '../../storage/repo/index.ts'
import type { AccountService } from '../accounts/account-service.ts'
import type { ModerationDeps, ModerationEvents } from './deps.ts'
import { type CreateReportInput, createReport, type ReportView } from './reports.ts'
import {
  getSubjectStatus,
  type SubjectStatusQuery,
  type SubjectStatusUpdate,
  type SubjectStatusView,
  updateSubjectStatus,
} from './subject-status.ts'
import type { StatusAttr } from './subjects.ts'

export interface ModerationServiceOptions {
  db: Db
  config: Config
  logger: Logger
  accounts: AccountService
  events: ModerationEvents
  now?: () => number
}

export class ModerationService {
  readonly tables: ModerationTables
  private readonly deps: ModerationDeps

  constructor(opts: ModerationServiceOptions) {
    this.tables = new ModerationTables(opts.db)
    this.deps = {
      ...opts,
      tables: this.tables,
      records: new RecordIndex(opts.db),
      blobs: new BlobRows(opts.db),
      now: opts.now ?? Date.now,
    }
  }

  getSubjectStatus(query: SubjectStatusQuery): SubjectStatusView {
    return getSubjectStatus(this.deps, query)
  }

  updateSubjectStatus(update: SubjectStatusUpdate): {
    subject: Record<string, string>
    takedown?: StatusAttr
  } {
    return updateSubjectStatus(this.deps, update)
  }

  /** Stores a report (when reports are kept here: see reportsStoredLocally). */
  createReport(reportedBy: string, input: CreateReportInput): ReportView {
    return createReport(this.tables.reports, reportedBy, input, this.deps.now())
  }

  listReports(query: ReportQuery): ReportRow[] {
    return this.tables.reports.list(query)
  }

  /** Marks reports resolved; returns how many were still open. */
  resolveReports(ids: readonly number[]): number {
    return this.tables.reports.resolve(ids, new Date(this.deps.now()).toISOString())
  }
}

/** Whether createReport is answered here: only when `report_service_url` is empty. */
export function reportsStoredLocally(config: Pick<Config, 'report_service_url'>): boolean {
  return config.report_service_url === ''
}
