/** `perlsky migrate [status]`: applies pending database migrations, or lists their state. */
import { existsSync } from 'node:fs'
import { Db } from '../storage/database.ts'
import { type MigrationState, migrate, migrationStatus } from '../storage/migrate.ts'
import { configCommand, EXIT_OK, UsageError } from './command.ts'
import { CONFIG_FLAGS_USAGE } from './config-source.ts'
import type { CliIo } from './io.ts'

const usage = `usage: perlsky migrate [status] [--config FILE | --dev]

Applies pending database migrations (serve also does this on start).
"migrate status" lists every migration and whether it is applied, without changing anything.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

export const migrateCommand = configCommand({
  name: 'migrate',
  summary: 'apply pending database migrations (migrate status: list them)',
  usage,
  parse: ({ positionals }) => {
    const [action, ...rest] = positionals
    if (rest.length > 0 || (action !== undefined && action !== 'status')) {
      throw new UsageError(`unexpected argument '${rest[0] ?? action}'`)
    }
    return { status: action === 'status' }
  },
  run: async ({ args, config, io }) => {
    if (args.status) return printStatus(config.db_path, io)
    const db = Db.open(config.db_path)
    try {
      const applied = migrate(db)
      for (const m of applied) io.stdout(`applied ${formatId(m.id)} ${m.name}\n`)
      if (applied.length === 0) io.stdout(`database ${config.db_path} is up to date\n`)
    } finally {
      db.close()
    }
    return EXIT_OK
  },
})

function printStatus(dbPath: string, io: CliIo): number {
  // Do not create the database just to report that nothing is applied.
  const exists = existsSync(dbPath)
  const db = exists ? Db.open(dbPath) : undefined
  let states: MigrationState[]
  try {
    states = migrationStatus(db)
  } finally {
    db?.close()
  }
  io.stdout(`database ${dbPath}${exists ? '' : ' (not created yet)'}\n`)
  for (const s of states) {
    const detail = s.appliedAt === null ? s.state : `${s.state} ${s.appliedAt}`
    io.stdout(`${formatId(s.id)} ${s.name.padEnd(24)} ${detail}\n`)
  }
  return EXIT_OK
}

function formatId(id: number): string {
  return String(id).padStart(3, '0')
}
