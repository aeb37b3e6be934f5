/**
 * Moderation reports kept on this server (table `moderation_report`): what
 * com.atproto.moderation.createReport stores when no report service takes reports, read and
 * resolved by the operator with `perlsky admin report`.
 */
import type { Db } from '../database.ts'

export interface NewReport {
  readonly reasonType: string
  readonly reason: string | null
  /** The reported account, or the account the reported record belongs to. */
  readonly subjectDid: string
  /** Set for a record report (a strongRef): its at:// URI and CID. */
  readonly subjectUri: string | null
  readonly subjectCid: string | null
  readonly reportedBy: string
  /** The client's modTool object as JSON, when it sent one. */
  readonly modTool: string | null
  readonly createdAt: string
}

export interface ReportRow extends NewReport {
  readonly id: number
  readonly resolvedAt: string | null
}

export interface ReportQuery {
  readonly limit: number
  /** Also resolved reports (default: open ones only). */
  readonly includeResolved?: boolean
  /** Only reports about this account (or its records). */
  readonly subjectDid?: string | undefined
  /** Reports with an id below this one (the listing runs newest first). */
  readonly before?: number | undefined
}

const COLUMNS = `id, reason_type AS reasonType, reason, subject_did AS subjectDid,
  subject_uri AS subjectUri, subject_cid AS subjectCid, reported_by AS reportedBy,
  mod_tool AS modTool, created_at AS createdAt, resolved_at AS resolvedAt`

export class ReportStore {
  constructor(private readonly db: Db) {}

  /** Returns the new report's id. */
  insert(r: NewReport): number {
    const row = this.db
      .prepare<{ id: number }, (string | null)[]>(
        `INSERT INTO moderation_report (reason_type, reason, subject_did, subject_uri, subject_cid,
          reported_by, mod_tool, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        r.reasonType,
        r.reason,
        r.subjectDid,
        r.subjectUri,
        r.subjectCid,
        r.reportedBy,
        r.modTool,
        r.createdAt,
      )
    return row!.id
  }

  get(id: number): ReportRow | undefined {
    return (
      this.db.prepare<ReportRow, [number]>(`SELECT ${COLUMNS} FROM moderation_report WHERE id = ?`).get(id) ??
      undefined
    )
  }

  /** Newest first. */
  list(q: ReportQuery): ReportRow[] {
    const where = ['id < ?1']
    if (!q.includeResolved) where.push('resolved_at IS NULL')
    if (q.subjectDid !== undefined) where.push('subject_did = ?2')
    return this.db
      .prepare<ReportRow, [number, string | null, number]>(
        `SELECT ${COLUMNS} FROM moderation_report WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?3`,
      )
      .all(q.before ?? Number.MAX_SAFE_INTEGER, q.subjectDid ?? null, q.limit)
  }

  /** Marks open reports resolved; returns how many were. */
  resolve(ids: readonly number[], at: string): number {
    const statement = this.db.prepare<unknown, [string, number]>(
      'UPDATE moderation_report SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL',
    )
    let changed = 0
    this.db.transaction(() => {
      for (const id of ids) changed += statement.run(at, id).changes
    })
    return changed
  }
}
