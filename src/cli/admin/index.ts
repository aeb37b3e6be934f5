/**
 * `perlsky admin <command>`: server administration against the same config and database as the
 * running server (SQLite WAL + busy_timeout let both use the database at once). Add a command by
 * writing `admin/<name>.ts` and listing it in ADMIN_COMMANDS.
 */
import type { CliCommand } from '../command.ts'
import { groupCommand } from '../dispatch.ts'
import { accountCommand } from './account.ts'
import { backupCommand, restoreCommand } from './backup.ts'
import { configCheckCommand } from './config-check.ts'
import { createInviteCommand } from './create-invite.ts'
import { emailCommand } from './email.ts'
import { inviteCommand } from './invite.ts'
import { oauthCommand } from './oauth.ts'
import { repoCommand } from './repo.ts'
import { reportCommand } from './report.ts'
import { requestCrawlCommand } from './request-crawl.ts'

export const ADMIN_COMMANDS: readonly CliCommand[] = [
  accountCommand,
  backupCommand,
  configCheckCommand,
  createInviteCommand,
  emailCommand,
  inviteCommand,
  oauthCommand,
  repoCommand,
  reportCommand,
  requestCrawlCommand,
  restoreCommand,
]

export const adminCommand = groupCommand({
  name: 'admin',
  prefix: 'perlsky admin',
  summary: 'administration commands (perlsky admin help lists them)',
  intro: 'Administration commands. Each accepts --config FILE (default: $PERLSKY_CONFIG) and --help.',
  commands: ADMIN_COMMANDS,
})
