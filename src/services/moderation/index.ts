export type { ModerationEvents } from './deps.ts'
export {
  ModerationService,
  type ModerationServiceOptions,
  reportsStoredLocally,
} from './moderation-service.ts'
export { type CreateReportInput, type ReportView, reportView } from './reports.ts'
export type { SubjectStatusQuery, SubjectStatusUpdate, SubjectStatusView } from './subject-status.ts'
export type { StatusAttr, SubjectInput } from './subjects.ts'
export { TAKENDOWN_SESSION_METHODS } from './takendown-session.ts'
