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
  type CliCommand,
  EXIT_FAILURE,
  EXIT_OK,
  expectNoPositionals,
  parseFlags,
  runGuarded,
  UsageError,
} from '../command.ts'
import { CONFIG_FLAGS, CONFIG_FLAGS_USAGE, loadCliConfig } from '../config-source.ts'
import { type CommandGroup, dispatch, groupUsage } from '../dispatch.ts'
import { processIo } from '../io.ts'

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

const outboxCommand: CliCommand = {
  name: 'outbox',
  summary: 'print the newest messages of the email outbox',
  usage: outboxUsage,
  run: (args, io = processIo()) =>
    runGuarded(io, outboxUsage, async () => {
      const { values, positionals } = parseFlags(args, {
        ...CONFIG_FLAGS,
        limit: { type: 'string', short: 'n' },
        to: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      })
      if (values.help) {
        io.stdout(`${outboxUsage}\n`)
        return EXIT_OK
      }
      expectNoPositionals(positionals)
      const limit = parseLimit(values.limit)
      const { config } = loadCliConfig(values, io)
      const to = values.to?.trim().toLowerCase()
      const messages = await withAccountTables(config.db_path, async (t) => t.outbox.list(limit, to))
      io.stdout(values.json ? `${JSON.stringify(messages, null, 2)}\n` : formatOutbox(messages))
      return EXIT_OK
    }),
}

const testCommand: CliCommand = {
  name: 'test',
  summary: 'send a test message and print the SMTP reply',
  usage: testUsage,
  run: (args, io = processIo()) =>
    runGuarded(io, testUsage, async () => {
      const { values, positionals } = parseFlags(args, {
        ...CONFIG_FLAGS,
        help: { type: 'boolean', short: 'h' },
      })
      if (values.help) {
        io.stdout(`${testUsage}\n`)
        return EXIT_OK
      }
      const [address, ...extra] = positionals
      if (address === undefined) throw new UsageError('missing the ADDRESS to send to')
      expectNoPositionals(extra)
      const { config } = loadCliConfig(values, io)
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
    }),
}

const emailGroup: CommandGroup = {
  prefix: 'perlsky admin email',
  intro: 'Outgoing email: the outbox and an SMTP check.',
  commands: [outboxCommand, testCommand],
}

export const emailCommand: CliCommand = {
  name: 'email',
  summary: 'read the email outbox, or send a test message (perlsky admin email help)',
  usage: groupUsage(emailGroup),
  run: (args, io = processIo()) => dispatch(emailGroup, args, io),
}

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
