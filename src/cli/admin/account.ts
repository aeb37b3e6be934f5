/**
 * `perlsky admin account list|info|create|takedown|untakedown|reset-password|delete`: the
 * accounts of this server, through the same services as the admin API (ctx.admin,
 * ctx.moderation) and sign-up (ctx.accounts), so each change has the same effects and events.
 * The moderation commands are in account-actions.ts.
 */
import type { AppContext } from '../../services/context.ts'
import { configCommand, EXIT_OK, requirePositionals } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { groupCommand } from '../dispatch.ts'
import type { CliIo } from '../io.ts'
import {
  deleteCommand,
  generatePassword,
  passwordLines,
  resetPasswordCommand,
  takedownCommand,
  untakedownCommand,
} from './account-actions.ts'
import { findAccount, printJson, withContext } from './context.ts'

const PAGE_SIZE = 500

const listUsage = `usage: perlsky admin account list [--json] [--config FILE | --dev]

Lists every account: DID, handle, status (active, deactivated or takendown), email and
creation time, one per line.

options:
      --json          print a JSON array (the admin API's account views, with the status)
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const infoUsage = `usage: perlsky admin account info DID|HANDLE [--json] [--config FILE | --dev]

Prints one account: identity, email, status (with the takedown reference), invite codes, and its
repository (commit, rev, records, blocks, blobs).

options:
      --json          print JSON
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const createUsage = `usage: perlsky admin account create HANDLE [--email ADDRESS] [--password PASSWORD] [--json]
                                  [--config FILE | --dev]

Creates an account as com.atproto.server.createAccount does (a bare name gets the service
handle domain; the DID follows account_did_method), without needing an invite code. Without
--password a random password is generated and printed once; prefer that, since a password on
the command line is visible to other users of the machine.

options:
      --email ADDRESS     the account's email address
      --password PASSWORD the account's password (8 to 256 characters)
      --json              print {did, handle, password} as JSON (password only when generated)
${CONFIG_FLAGS_USAGE}
  -h, --help              show this help`

const listCommand = configCommand({
  name: 'list',
  summary: 'list every account',
  usage: listUsage,
  flags: { json: { type: 'boolean' } },
  run: ({ values, config, io }) =>
    withContext(config, io, (ctx) => {
      const accounts = allAccounts(ctx)
      if (values.json) printJson(io, accounts)
      else io.stdout(accounts.length === 0 ? 'no accounts\n' : accounts.map(accountLine).join(''))
      return EXIT_OK
    }),
})

const infoCommand = configCommand({
  name: 'info',
  summary: 'show one account',
  usage: infoUsage,
  flags: { json: { type: 'boolean' } },
  parse: ({ positionals }) => requirePositionals(positionals, ['DID|HANDLE'])[0],
  run: ({ args, values, config, io }) =>
    withContext(config, io, (ctx) => {
      const { did } = findAccount(ctx, args)
      const info = { ...withStatus(ctx, ctx.admin.getAccountInfo(did)), repo: ctx.repo.accountRepoStats(did) }
      if (values.json) printJson(io, info)
      else printInfo(io, info)
      return EXIT_OK
    }),
})

const createCommand = configCommand({
  name: 'create',
  summary: 'create an account (the password is generated unless given)',
  usage: createUsage,
  flags: { email: { type: 'string' }, password: { type: 'string' }, json: { type: 'boolean' } },
  parse: ({ positionals }) => requirePositionals(positionals, ['HANDLE'])[0],
  run: ({ args: handle, values, config, io }) =>
    withContext(config, io, async (ctx) => {
      const password = values.password ?? generatePassword()
      // The operator needs no invite: a single-use code minted for this sign-up stands for that.
      const inviteCode = config.invite_code_required ? ctx.accounts.invites.mint({ useCount: 1 }) : undefined
      const input = { handle, email: values.email, password, inviteCode }
      const { did, handle: created } = await ctx.accounts.createAccount(input, null)
      const generated = values.password === undefined ? password : undefined
      if (values.json) printJson(io, { did, handle: created, ...(generated ? { password: generated } : {}) })
      else io.stdout(`created ${created} (${did})\n${generated ? passwordLines(generated) : ''}`)
      return EXIT_OK
    }),
})

type AccountView = ReturnType<AppContext['admin']['getAccountInfo']>
type AccountWithStatus = AccountView & { status: string; takedownRef?: string }

function withStatus(ctx: AppContext, view: AccountView): AccountWithStatus {
  const status = ctx.accounts.getAccountStatus(view.did)
  const takedownRef = ctx.accounts.getAccount(view.did)?.takedownRef ?? null
  return { ...view, status: status.status ?? 'active', ...(takedownRef === null ? {} : { takedownRef }) }
}

function allAccounts(ctx: AppContext): AccountWithStatus[] {
  const out: AccountWithStatus[] = []
  let cursor: string | undefined
  do {
    const page = ctx.admin.searchAccounts({ cursor, limit: PAGE_SIZE })
    for (const view of page.accounts) out.push(withStatus(ctx, view))
    cursor = page.cursor
  } while (cursor !== undefined)
  return out
}

function accountLine(a: AccountWithStatus): string {
  return `${a.did}  ${a.handle}  ${a.status}  ${a.email ?? '-'}  ${a.indexedAt}\n`
}

function printInfo(
  io: CliIo,
  a: AccountWithStatus & { repo: ReturnType<AppContext['repo']['accountRepoStats']> },
) {
  const status = a.takedownRef === undefined ? a.status : `${a.status} (ref ${a.takedownRef})`
  const email =
    a.email === undefined ? '-' : `${a.email} (${a.emailConfirmedAt ? 'confirmed' : 'unconfirmed'})`
  const lines = [
    `did       ${a.did}`,
    `handle    ${a.handle}`,
    `email     ${email}`,
    `status    ${status}`,
    `created   ${a.indexedAt}`,
    `invites   ${a.invites.length} code${a.invites.length === 1 ? '' : 's'}${a.invitesDisabled ? ' (disabled)' : ''}`,
    `repo      ${a.repo.commit} (rev ${a.repo.rev})`,
    `          ${a.repo.records} records, ${a.repo.blocks} blocks, ${a.repo.importedBlobs}/${a.repo.expectedBlobs} blobs`,
  ]
  io.stdout(`${lines.join('\n')}\n`)
}

export const accountCommand = groupCommand({
  name: 'account',
  summary: 'list, inspect, create, take down, reset or delete accounts (perlsky admin account help)',
  intro: 'Accounts. DID|HANDLE names an account by its DID or its handle.',
  commands: [
    listCommand,
    infoCommand,
    createCommand,
    takedownCommand,
    untakedownCommand,
    resetPasswordCommand,
    deleteCommand,
  ],
})
