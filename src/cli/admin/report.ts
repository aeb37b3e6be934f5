/**
 * `perlsky admin report list|resolve`: the moderation reports accounts filed with
 * com.atproto.moderation.createReport while `report_service_url` is "" (docs/ADMIN.md "Reports").
 * Works whether or not the server runs.
 */
import { isValidDid } from '../../core/syntax/did.ts'
import type { ReportRow } from '../../storage/moderation/index.ts'
import { withModerationTables } from '../../storage/moderation/open.ts'
import { configCommand, EXIT_OK, expectNoPositionals, UsageError } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { groupCommand } from '../dispatch.ts'

const DEFAULT_LIMIT = 50

const listUsage = `usage: perlsky admin report list [--limit N] [--all] [--subject DID] [--json] [--config FILE | --dev]

Prints the newest open moderation reports: who reported what (an account, or a record with its
CID), the reason type and the reporter's text. Reports are kept here only while
report_service_url is "" in the config; otherwise they go to that moderation service.

options:
  -n, --limit N       how many reports (default ${DEFAULT_LIMIT})
      --all           resolved reports too
      --subject DID   only reports about this account or its records
      --json          print a JSON array instead of text
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const resolveUsage = `usage: perlsky admin report resolve ID... [--config FILE | --dev]

Marks reports as resolved (dealt with), so that \`report list\` no longer shows them.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const listCommand = configCommand({
  name: 'list',
  summary: 'print the newest open moderation reports',
  usage: listUsage,
  flags: {
    limit: { type: 'string', short: 'n' },
    all: { type: 'boolean' },
    subject: { type: 'string' },
    json: { type: 'boolean' },
  },
  parse: ({ values, positionals }) => {
    expectNoPositionals(positionals)
    const subject = values.subject
    if (subject !== undefined && !isValidDid(subject)) throw new UsageError('--subject must be a DID')
    return { limit: parseLimit(values.limit), includeResolved: values.all === true, subjectDid: subject }
  },
  run: async ({ args, values, config, io }) => {
    const reports = await withModerationTables(config.db_path, (t) => t.reports.list(args))
    io.stdout(values.json ? `${JSON.stringify(reports, null, 2)}\n` : formatReports(reports))
    return EXIT_OK
  },
})

const resolveCommand = configCommand({
  name: 'resolve',
  summary: 'mark moderation reports as resolved',
  usage: resolveUsage,
  parse: ({ positionals }) => {
    if (positionals.length === 0) throw new UsageError('missing the ID of the report to resolve')
    return positionals.map(parseId)
  },
  run: async ({ args: ids, config, io }) => {
    const at = new Date().toISOString()
    const resolved = await withModerationTables(config.db_path, (t) => t.reports.resolve(ids, at))
    io.stdout(`resolved ${resolved} of ${ids.length} report${ids.length === 1 ? '' : 's'}\n`)
    return EXIT_OK
  },
})

export const reportCommand = groupCommand({
  name: 'report',
  summary: 'list or resolve moderation reports (perlsky admin report help)',
  intro: 'Moderation reports kept on this server (report_service_url "").',
  commands: [listCommand, resolveCommand],
})

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1) throw new UsageError('--limit must be a positive whole number')
  return n
}

function parseId(raw: string): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new UsageError(`not a report ID: ${raw}`)
  return n
}

function formatReports(reports: ReportRow[]): string {
  if (reports.length === 0) return 'no reports\n'
  return reports
    .map((r) => {
      const subject = r.subjectUri === null ? r.subjectDid : `${r.subjectUri} (cid ${r.subjectCid})`
      const state = r.resolvedAt === null ? 'open' : `resolved ${r.resolvedAt}`
      const lines = [`#${r.id}  ${r.createdAt}  ${state}`, `  subject: ${subject}`]
      lines.push(`  reason:  ${r.reasonType}`, `  by:      ${r.reportedBy}`)
      if (r.reason !== null) lines.push(...r.reason.split('\n').map((line) => `    ${line}`))
      return `${lines.join('\n')}\n`
    })
    .join('\n')
}
