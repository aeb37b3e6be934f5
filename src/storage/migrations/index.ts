/**
 * Every migration, in order. Registered statically (not read from a folder at run time) so the
 * compiled binary carries them. Add a migration by creating `NNN-name.ts` and appending it here.
 */
import { migration001Initial } from './001-initial.ts'
import { migration002Accounts } from './002-accounts.ts'
import { migration003Repo } from './003-repo.ts'
import { migration004Sync } from './004-sync.ts'
import { migration005OAuth } from './005-oauth.ts'
import { migration006Moderation } from './006-moderation.ts'
import type { Migration } from './migration.ts'

export const MIGRATIONS: readonly Migration[] = [
  migration001Initial,
  migration002Accounts,
  migration003Repo,
  migration004Sync,
  migration005OAuth,
  migration006Moderation,
]
