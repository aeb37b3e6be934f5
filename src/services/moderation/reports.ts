/**
 * Moderation reports kept on this server: com.atproto.moderation.createReport when no report
 * service is configured (report_service_url empty; docs/ADMIN.md "Reports"). Any account may be
 * reported, local or not; the subject is stored as given, with its DID (a record URI's
 * authority) for filtering. The operator reads and resolves them with `perlsky admin report`.
 */
import type { ReportRow, ReportStore } from '../../storage/moderation/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { normalizedCid, REPO_REF, STRONG_REF, type SubjectInput } from './subjects.ts'

export interface CreateReportInput {
  reasonType: string
  reason?: string | undefined
  subject: SubjectInput
  modTool?: { name: string; meta?: unknown } | undefined
}

/** com.atproto.moderation.createReport's output. */
export interface ReportView {
  id: number
  reasonType: string
  reason?: string
  subject: Record<string, string>
  reportedBy: string
  createdAt: string
}

export function createReport(
  store: ReportStore,
  reportedBy: string,
  input: CreateReportInput,
  now: number,
): ReportView {
  const subject = reportSubject(input.subject)
  const row = {
    reasonType: input.reasonType,
    reason: input.reason ?? null,
    ...subject,
    reportedBy,
    modTool: input.modTool === undefined ? null : JSON.stringify(input.modTool),
    createdAt: new Date(now).toISOString(),
  }
  return reportView({ ...row, id: store.insert(row), resolvedAt: null })
}

export function reportView(row: ReportRow): ReportView {
  const subject: Record<string, string> =
    row.subjectUri === null
      ? { $type: REPO_REF, did: row.subjectDid }
      : { $type: STRONG_REF, uri: row.subjectUri, cid: row.subjectCid ?? '' }
  return {
    id: row.id,
    reasonType: row.reasonType,
    ...(row.reason === null ? {} : { reason: row.reason }),
    subject,
    reportedBy: row.reportedBy,
    createdAt: row.createdAt,
  }
}

function reportSubject(subject: SubjectInput): {
  subjectDid: string
  subjectUri: string | null
  subjectCid: string | null
} {
  if (subject.$type === REPO_REF && 'did' in subject) {
    return { subjectDid: subject.did, subjectUri: null, subjectCid: null }
  }
  if (subject.$type === STRONG_REF && 'uri' in subject) {
    const authority = /^at:\/\/([^/]+)/.exec(subject.uri)?.[1]
    if (authority === undefined) throw new InvalidRequestError(`Invalid record URI: ${subject.uri}`)
    return { subjectDid: authority, subjectUri: subject.uri, subjectCid: normalizedCid(subject.cid) }
  }
  throw new InvalidRequestError('Invalid subject')
}
