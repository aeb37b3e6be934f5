/**
 * Outgoing email. Every message is first stored in the outbox table, then sent over SMTP when
 * `email_smtp_url` is configured; the outbox row records the SMTP server's reply or the error.
 * Without SMTP the outbox is the delivery: an operator reads it with `perlsky admin email outbox`.
 * Messages are kept OUTBOX_RETENTION_MS (30 days).
 * The transport is created once, on the first message sent (nodemailer keeps no connection open
 * between messages); nodemailer itself is loaded then, so a server that sends no mail never loads it.
 */
import type { Logger } from '../../lib/logger.ts'
import type { OutboxStatus, OutboxStore } from '../../storage/accounts/index.ts'
import { UpstreamFailureError } from '../errors.ts'
import type { ComposedEmail } from './templates.ts'

/** How long the outbox keeps a message (its codes expired long before). */
export const OUTBOX_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

export interface OutgoingEmail extends ComposedEmail {
  to: string
  /** What the message is for (an email-token purpose, or "test"); stored in the outbox. */
  purpose: string
}

export interface DeliveryResult {
  outboxId: number
  status: OutboxStatus
  /** The SMTP server's final reply, the error, or a note that SMTP is not configured. */
  reply: string
}

/** The part of a nodemailer transport the mailer uses (a fake in unit tests). */
export interface MailTransport {
  sendMail(message: {
    from: string
    to: string
    subject: string
    text: string
  }): Promise<{ response: string }>
}

export interface SmtpSettings {
  url: string
  from: string
}

export class Mailer {
  private transport: MailTransport | undefined

  constructor(
    private readonly outbox: OutboxStore,
    private readonly smtp: SmtpSettings | undefined,
    private readonly logger: Logger,
    transport?: MailTransport,
    private readonly now: () => number = Date.now,
  ) {
    this.transport = transport
  }

  get smtpConfigured(): boolean {
    return this.transport !== undefined || this.smtp !== undefined
  }

  /** Stores and (when configured) sends; never throws for a delivery failure, it reports it. */
  async deliver(email: OutgoingEmail): Promise<DeliveryResult> {
    const now = this.now()
    this.outbox.deleteOlderThan(new Date(now - OUTBOX_RETENTION_MS).toISOString())
    const outboxId = this.outbox.insert({
      createdAt: new Date(now).toISOString(),
      purpose: email.purpose,
      toAddress: email.to,
      subject: email.subject,
      body: email.text,
    })
    if (this.smtp === undefined) {
      return { outboxId, status: 'stored', reply: 'SMTP is not configured; the message is in the outbox' }
    }
    const message = { from: this.smtp.from, to: email.to, subject: email.subject, text: email.text }
    try {
      const transport = this.transport ?? (await this.smtpTransport(this.smtp.url))
      const info = await transport.sendMail(message)
      this.outbox.setResult(outboxId, 'sent', info.response)
      return { outboxId, status: 'sent', reply: info.response }
    } catch (err) {
      const reply = describeSmtpError(err)
      this.outbox.setResult(outboxId, 'failed', reply)
      this.logger.error('email delivery failed', { outboxId, purpose: email.purpose, reply })
      return { outboxId, status: 'failed', reply }
    }
  }

  private async smtpTransport(url: string): Promise<MailTransport> {
    const { default: nodemailer } = await import('nodemailer')
    this.transport ??= nodemailer.createTransport(url)
    return this.transport
  }

  /** As `deliver`, but a failed delivery becomes a 502 for the XRPC caller. */
  async send(email: OutgoingEmail): Promise<void> {
    const result = await this.deliver(email)
    if (result.status === 'failed') {
      throw new UpstreamFailureError('The email could not be sent; try again later')
    }
  }
}

/** A one-line description of a nodemailer/SMTP failure: code, command, server reply. */
export function describeSmtpError(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const e = err as Error & { code?: string; command?: string; response?: string }
  const parts = [e.code, e.command === undefined ? undefined : `during ${e.command}`].filter(Boolean)
  const head = parts.length > 0 ? `${parts.join(' ')}: ` : ''
  const reply =
    e.response !== undefined && !e.message.includes(e.response) ? ` (server said: ${e.response})` : ''
  return `${head}${e.message}${reply}`
}
