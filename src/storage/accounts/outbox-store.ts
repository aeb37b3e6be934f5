/**
 * Prepared statements for `email_outbox`: every message the server composed, whether or not SMTP
 * is configured, so an operator can read it (`perlsky admin email outbox`).
 */
import type { Db } from '../database.ts'

export type OutboxStatus = 'stored' | 'sent' | 'failed'

export interface OutboxMessage {
  id: number
  createdAt: string
  purpose: string
  toAddress: string
  subject: string
  body: string
  status: OutboxStatus
  smtpReply: string | null
}

export type NewOutboxMessage = Omit<OutboxMessage, 'id' | 'status' | 'smtpReply'>

export class OutboxStore {
  constructor(private readonly db: Db) {}

  insert(m: NewOutboxMessage): number {
    const result = this.db
      .prepare(
        `INSERT INTO email_outbox (created_at, purpose, to_address, subject, body, status)
          VALUES (?, ?, ?, ?, ?, 'stored')`,
      )
      .run(m.createdAt, m.purpose, m.toAddress, m.subject, m.body)
    return Number(result.lastInsertRowid)
  }

  setResult(id: number, status: OutboxStatus, smtpReply: string): void {
    this.db
      .prepare('UPDATE email_outbox SET status = ?, smtp_reply = ? WHERE id = ?')
      .run(status, smtpReply, id)
  }

  /** Newest first; `to` filters by recipient (exact, lower-case). */
  list(limit: number, to?: string): OutboxMessage[] {
    const columns = `id, created_at AS createdAt, purpose, to_address AS toAddress, subject, body, status,
      smtp_reply AS smtpReply`
    if (to === undefined) {
      return this.db
        .prepare<OutboxMessage, [number]>(`SELECT ${columns} FROM email_outbox ORDER BY id DESC LIMIT ?`)
        .all(limit)
    }
    return this.db
      .prepare<OutboxMessage, [string, number]>(
        `SELECT ${columns} FROM email_outbox WHERE to_address = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(to, limit)
  }

  deleteOlderThan(before: string): void {
    this.db.prepare('DELETE FROM email_outbox WHERE created_at < ?').run(before)
  }
}
