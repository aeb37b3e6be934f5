/**
 * com.atproto.admin.sendEmail: a message from the operator to an account's address, through the
 * server's mailer (stored in the outbox, sent over SMTP when configured). `sent` is true once the
 * SMTP server accepted it; without SMTP the message waits in the outbox and `sent` is false; a
 * refused delivery is a 502. The sender DID and comment are logged, not mailed.
 */
import { InvalidRequestError, UpstreamFailureError } from '../errors.ts'
import type { AdminDeps } from './deps.ts'

export interface SendEmailInput {
  recipientDid: string
  content: string
  subject?: string | undefined
  senderDid: string
  comment?: string | undefined
}

export const DEFAULT_SUBJECT = 'Message via your PDS'

export async function sendEmail(deps: AdminDeps, input: SendEmailInput): Promise<{ sent: boolean }> {
  const account = deps.accounts.getAccount(input.recipientDid)
  if (account === undefined) throw new InvalidRequestError('Recipient not found')
  if (account.email === null) throw new InvalidRequestError('account does not have an email address')
  const result = await deps.mailer.deliver({
    to: account.email,
    purpose: 'admin',
    subject: input.subject ?? DEFAULT_SUBJECT,
    text: input.content,
  })
  deps.logger.info('admin email', {
    recipient: account.did,
    sender: input.senderDid,
    comment: input.comment,
    outboxId: result.outboxId,
    status: result.status,
  })
  if (result.status === 'failed')
    throw new UpstreamFailureError('The email could not be sent; try again later')
  return { sent: result.status === 'sent' }
}
