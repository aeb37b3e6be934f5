/**
 * `perlsky admin email outbox|test`: read the messages the server composed (the only delivery
 * when SMTP is not configured), and check the SMTP settings by sending a test message.
 */
import { silentLogger } from '../../lib/logger.ts'
import { Mailer } from '../../services/email/mailer.ts'
import { testEmail } from '../../services/email/templates.ts'
import type { OutboxMessage } from '../../storage/accounts/index.ts'
import { withAccountTables } from '../../storage/accounts/open.ts'
import {
  configCommand,
  EXIT_FAILURE,
  EXIT_OK,
  expectNoPositionals,
  requirePositionals,
  UsageError,
} from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { groupCommand } from '../dispatch.ts'

const DEFAULT_LIMIT = 20

const outboxUsage = `usage: perlsky admin email outbox [--limit N] [--to ADDRESS] [--json] [--config FILE | --dev]

Prints the newest messages of the email outbox: every message the server composed (email
confirmations, password resets, deletion and PLC codes), with its delivery status and the SMTP
server's reply. Without email_smtp_url this is how the codes reach you.

options:
  -n, --limit N       how many messages (default ${DEFAULT_LIMIT})
      --to ADDRESS    only messages to this address
      --json          print a JSON array instead of text
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const testUsage = `usage: perlsky admin email test ADDRESS [--config FILE | --dev]

Sends a test message to ADDRESS through email_smtp_url and prints the SMTP server's reply, or
exactly why sending failed (exit 1).

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const outboxCommand = configCommand({
  name: 'outbox',
  summary: 'print the newest messages of the email outbox',
  usage: outboxUsage,
  flags: {
    limit: { type: 'string', short: 'n' },
    to: { type: 'string' },
    json: { type: 'boolean' },
  },
  parse: ({ values, positionals }) => {
    expectNoPositionals(positionals)
    return { limit: parseLimit(values.limit), to: values.to?.trim().toLowerCase() }
  },
  run: async ({ args, values, config, io }) => {
    const messages = await withAccountTables(config.db_path, async (t) => t.outbox.list(args.limit, args.to))
    io.stdout(values.json ? `${JSON.stringify(messages, null, 2)}\n` : formatOutbox(messages))
    return EXIT_OK
  },
})

const testCommand = configCommand({
  name: 'test',
  summary: 'send a test message and print the SMTP reply',
  usage: testUsage,
  parse: ({ positionals }) => requirePositionals(positionals, ['ADDRESS'])[0],
  run: async ({ args: address, config, io }) => {
    if (config.email_smtp_url === undefined || config.email_from_address === undefined) {
      io.stderr('perlsky: email is not configured: set email_smtp_url and email_from_address\n')
      return EXIT_FAILURE
    }
    const smtp = { url: config.email_smtp_url, from: config.email_from_address }
    const result = await withAccountTables(config.db_path, (t) =>
      new Mailer(t.outbox, smtp, silentLogger()).deliver({
        to: address,
        purpose: 'test',
        ...testEmail(config.hostname, new Date()),
      }),
    )
    if (result.status !== 'sent') {
      io.stderr(`perlsky: sending to ${address} failed: ${result.reply}\n`)
      return EXIT_FAILURE
    }
    io.stdout(`sent to ${address}; the SMTP server replied: ${result.reply}\n`)
    return EXIT_OK
  },
})

export const emailCommand = groupCommand({
  name: 'email',
  summary: 'read the email outbox, or send a test message (perlsky admin email help)',
  intro: 'Outgoing email: the outbox and an SMTP check.',
  commands: [outboxCommand, testCommand],
})

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1) throw new UsageError('--limit must be a positive whole number')
  return n
}

function formatOutbox(messages: OutboxMessage[]): string {
  if (messages.length === 0) return 'the outbox is empty\n'
  return messages
    .map((m) =>
      [
        `#${m.id}  ${m.createdAt}  ${m.status}  to ${m.toAddress}  (${m.purpose})`,
        `Subject: ${m.subject}`,
        ...(m.smtpReply === null ? [] : [`SMTP: ${m.smtpReply}`]),
        '',
        ...m.body.split('\n').map((line) => `    ${line}`),
        '',
      ].join('\n'),
    )
    .join('\n')
}
