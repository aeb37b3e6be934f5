/**
 * `perlsky admin invite list|disable`: every invite code of the server (the admin API's
 * getInviteCodes, newest first) and disabling codes so they can no longer be spent. Minting is
 * `perlsky admin create-invite`.
 */
import type { AppContext } from '../../services/context.ts'
import { configCommand, EXIT_FAILURE, EXIT_OK, UsageError } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { groupCommand } from '../dispatch.ts'
import { printJson, withContext } from './context.ts'

const PAGE_SIZE = 500

const listUsage = `usage: perlsky admin invite list [--json] [--config FILE | --dev]

Lists every invite code, newest first: uses taken of uses allowed, whether it is disabled, whom
it was minted for and when.

options:
      --json          print a JSON array (the admin API's invite code views)
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const disableUsage = `usage: perlsky admin invite disable CODE... [--config FILE | --dev]

Disables the invite codes: they can no longer be used to sign up. Exits 1 when a code does not
exist (the others are disabled all the same).

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

type InviteCode = ReturnType<AppContext['admin']['getInviteCodes']>['codes'][number]

const listCommand = configCommand({
  name: 'list',
  summary: 'list every invite code',
  usage: listUsage,
  flags: { json: { type: 'boolean' } },
  run: ({ values, config, io }) =>
    withContext(config, io, (ctx) => {
      const codes = allCodes(ctx)
      if (values.json) printJson(io, codes)
      else io.stdout(codes.length === 0 ? 'no invite codes\n' : codes.map(codeLine).join(''))
      return EXIT_OK
    }),
})

const disableCommand = configCommand({
  name: 'disable',
  summary: 'disable invite codes',
  usage: disableUsage,
  parse: ({ positionals }) => {
    if (positionals.length === 0) throw new UsageError('missing the CODE argument')
    // Codes are stored lower-case; sign-up accepts them in any case, so this does too.
    return positionals.map((code) => code.trim().toLowerCase())
  },
  run: ({ args: codes, config, io }) =>
    withContext(config, io, (ctx) => {
      let missing = 0
      for (const code of codes) {
        if (ctx.accounts.invites.setDisabled(code, true)) {
          io.stdout(`disabled ${code}\n`)
        } else {
          io.stderr(`perlsky: no invite code ${code}\n`)
          missing += 1
        }
      }
      return missing === 0 ? EXIT_OK : EXIT_FAILURE
    }),
})

function allCodes(ctx: AppContext): InviteCode[] {
  const out: InviteCode[] = []
  let cursor: string | undefined
  do {
    const page = ctx.admin.getInviteCodes({ sort: 'recent', limit: PAGE_SIZE, cursor })
    out.push(...page.codes)
    cursor = page.cursor
  } while (cursor !== undefined)
  return out
}

function codeLine(c: InviteCode): string {
  const state = c.disabled ? 'disabled' : c.uses.length >= c.available ? 'used up' : 'available'
  return `${c.code}  ${c.uses.length}/${c.available} used  ${state}  for ${c.forAccount}  ${c.createdAt}\n`
}

export const inviteCommand = groupCommand({
  name: 'invite',
  summary: 'list invite codes, or disable some (perlsky admin invite help)',
  intro: 'Invite codes (minted with `perlsky admin create-invite`).',
  commands: [listCommand, disableCommand],
})
