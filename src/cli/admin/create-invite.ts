/**
 * `perlsky admin create-invite`: mints one invite code and prints exactly that code, so
 * `INVITE_CODE=$(perlsky admin create-invite)` works. Works whether or not the server runs.
 */
import { isValidDid } from '../../core/syntax/did.ts'
import { InviteService } from '../../services/invites/invites.ts'
import { withAccountTables } from '../../storage/accounts/open.ts'
import {
  type CliCommand,
  EXIT_OK,
  expectNoPositionals,
  parseFlags,
  runGuarded,
  UsageError,
} from '../command.ts'
import { CONFIG_FLAGS, CONFIG_FLAGS_USAGE, loadCliConfig } from '../config-source.ts'
import { processIo } from '../io.ts'

const usage = `usage: perlsky admin create-invite [--use-count N] [--for-account DID] [--config FILE | --dev]

Creates an invite code for com.atproto.server.createAccount (needed when invite_code_required
is true) and prints it, alone, on stdout:

  INVITE_CODE=$(perlsky admin create-invite)

options:
  -n, --use-count N     how many accounts may sign up with the code (default 1)
      --for-account DID list the code under this account's invite codes (default: admin)
${CONFIG_FLAGS_USAGE}
  -h, --help            show this help`

export const createInviteCommand: CliCommand = {
  name: 'create-invite',
  summary: 'create an invite code and print it',
  usage,
  run: (args, io = processIo()) =>
    runGuarded(io, usage, async () => {
      const { values, positionals } = parseFlags(args, {
        ...CONFIG_FLAGS,
        'use-count': { type: 'string', short: 'n' },
        'for-account': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      })
      if (values.help) {
        io.stdout(`${usage}\n`)
        return EXIT_OK
      }
      expectNoPositionals(positionals)
      const useCount = parseUseCount(values['use-count'])
      const forAccount = values['for-account']
      if (forAccount !== undefined && !isValidDid(forAccount))
        throw new UsageError('--for-account must be a DID')
      const { config } = loadCliConfig(values, io)
      const code = await withAccountTables(config.db_path, async (tables) =>
        new InviteService(tables.invites).mint({ useCount, forAccount }),
      )
      io.stdout(`${code}\n`)
      return EXIT_OK
    }),
}

function parseUseCount(raw: string | undefined): number {
  if (raw === undefined) return 1
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError('--use-count must be a positive whole number')
  }
  return n
}
