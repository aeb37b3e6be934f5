/**
 * `perlsky admin <command>`: server administration against the same config and database as the
 * running server (SQLite WAL + busy_timeout let both use the database at once). Add a command by
 * writing `admin/<name>.ts` and listing it in ADMIN_COMMANDS.
 */
import type { CliCommand } from '../command.ts'
import { type CommandGroup, dispatch, groupUsage } from '../dispatch.ts'
import { processIo } from '../io.ts'
import { configCheckCommand } from './config-check.ts'
import { createInviteCommand } from './create-invite.ts'
import { emailCommand } from './email.ts'
import { oauthCommand } from './oauth.ts'
import { requestCrawlCommand } from './request-crawl.ts'

export const ADMIN_COMMANDS: readonly CliCommand[] = [
  configCheckCommand,
  createInviteCommand,
  emailCommand,
  oauthCommand,
  requestCrawlCommand,
]

const adminGroup: CommandGroup = {
  prefix: 'perlsky admin',
  intro: 'Administration commands. Each accepts --config FILE (default: $PERLSKY_CONFIG) and --help.',
  commands: ADMIN_COMMANDS,
}

export const adminCommand: CliCommand = {
  name: 'admin',
  summary: 'administration commands (perlsky admin help lists them)',
  usage: groupUsage(adminGroup),
  run: (args, io = processIo()) => dispatch(adminGroup, args, io),
}
