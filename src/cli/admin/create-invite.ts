/**
 * `perlsky admin create-invite`: mints one invite code and prints exactly that code, so
 * `INVITE_CODE=$(perlsky admin create-invite)` works. Works whether or not the server runs.
 */
import { isValidDid } from '../../core/syntax/did.ts'
import { InviteService } from '../../services/invites/invites.ts'
import { withAccountTables } from '../../storage/accounts/open.ts'
import { configCommand, EXIT_OK, expectNoPositionals, UsageError } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'

const usage = `usage: perlsky admin create-invite [--use-count N] [--for-account DID] [--config FILE | --dev]

Creates an invite code for com.atproto.server.createAccount (needed when invite_code_required
is true) and prints it, alone, on stdout:

  INVITE_CODE=$(perlsky admin create-invite)

options:
  -n, --use-count N     how many accounts may sign up with the code (default 1)
      --for-account DID list the code under this account's invite codes (default: admin)
${CONFIG_FLAGS_USAGE}
  -h, --help            show this help`

export const createInviteCommand = configCommand({
  name: 'create-invite',
  summary: 'create an invite code and print it',
  usage,
  flags: {
    'use-count': { type: 'string', short: 'n' },
    'for-account': { type: 'string' },
  },
  parse: ({ values, positionals }) => {
    expectNoPositionals(positionals)
    const forAccount = values['for-account']
    const useCount = parseUseCount(values['use-count'])
    if (forAccount !== undefined && !isValidDid(forAccount))
      throw new UsageError('--for-account must be a DID')
    return { useCount, forAccount }
  },
  run: async ({ args, config, io }) => {
    const code = await withAccountTables(config.db_path, async (tables) =>
      new InviteService(tables.invites).mint(args),
    )
    io.stdout(`${code}\n`)
    return EXIT_OK
  },
})

function parseUseCount(raw: string | undefined): number {
  if (raw === undefined) return 1
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError('--use-count must be a positive whole number')
  }
  return n
}
