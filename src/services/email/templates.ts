/**
 * The text of every message the server sends. Plain text only: the code must survive any mail
 * client, and there is nothing to lay out. Each message names the code, what it is for, when it
 * expires, and what to do when the recipient did not ask for it.
 */
import { EMAIL_TOKEN_LIFETIME_MS, type EmailTokenPurpose } from './email-tokens.ts'

export interface ComposedEmail {
  subject: string
  text: string
}

export interface TokenEmailInput {
  /** The server's public host name, so the recipient knows who writes. */
  hostname: string
  /** The account's handle. */
  handle: string
  token: string
  expiresAt: Date
}

const WHAT: Record<EmailTokenPurpose, { subject: string; action: string }> = {
  confirm_email: { subject: 'Confirm your email address', action: 'confirm this email address for' },
  update_email: { subject: 'Confirm your email change', action: 'change the email address of' },
  reset_password: { subject: 'Reset your password', action: 'reset the password of' },
  delete_account: { subject: 'Confirm account deletion', action: 'permanently delete' },
  plc_operation: { subject: 'Confirm your identity update', action: 'update the identity (DID document) of' },
}

export function tokenEmail(purpose: EmailTokenPurpose, input: TokenEmailInput): ComposedEmail {
  const what = WHAT[purpose]
  const minutes = Math.round(EMAIL_TOKEN_LIFETIME_MS / 60_000)
  const text = [
    `Hello ${input.handle},`,
    '',
    `Someone asked to ${what.action} your account @${input.handle} on ${input.hostname}.`,
    'To go ahead, enter this code in your app:',
    '',
    `    ${input.token}`,
    '',
    `The code can be used once and expires in ${minutes} minutes (at ${input.expiresAt.toISOString()}).`,
    '',
    'If you did not ask for this, ignore this message: nothing changes without the code.',
    ...(purpose === 'delete_account' ? ['Deletion cannot be undone.'] : []),
    '',
    `-- ${input.hostname}`,
  ].join('\n')
  return { subject: `${what.subject} (${input.hostname})`, text }
}

export function testEmail(hostname: string, at: Date): ComposedEmail {
  return {
    subject: `Test message from ${hostname}`,
    text: [
      `This is a test message sent by \`perlsky admin email test\` on ${hostname} at ${at.toISOString()}.`,
      '',
      'If you can read it, outgoing email works.',
    ].join('\n'),
  }
}
