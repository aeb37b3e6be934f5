/**
 * `perlsky admin backup DIR` and `perlsky admin restore DIR`: a consistent copy of the database
 * and the blob folder taken while the server runs, and its restore into a stopped server's
 * paths (src/storage/backup.ts; the procedure is in docs/OPERATIONS.md).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { VERSION } from '../../lib/version.ts'
import { type BackupManifest, createBackup, restoreBackup } from '../../storage/backup.ts'
import { Db } from '../../storage/database.ts'
import { configCommand, EXIT_OK, requirePositionals } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { AdminCommandError, printJson } from './context.ts'

const backupUsage = `usage: perlsky admin backup DIR [--json] [--config FILE | --dev]

Writes a backup of the database and the blob folder into DIR (created; an existing DIR must be
empty): perlsky.sqlite, a consistent snapshot taken with VACUUM INTO, blobs/, and manifest.json
(perlsky version, schema version, time, sizes), written last. Safe while the server runs and
accepts writes. Restore it with \`perlsky admin restore DIR\`.

options:
      --json          print the manifest as JSON
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const restoreUsage = `usage: perlsky admin restore DIR [--force] [--json] [--config FILE | --dev]

Restores a backup written by \`perlsky admin backup\` into the config's db_path and
<data_dir>/blobs. Stop the server first: a database another process holds open is refused. An
existing database or non-empty blob folder is refused too, unless --force is given, which
replaces both. The database is checked (integrity, schema version) before it is put in place.

options:
      --force         replace an existing database and blob folder
      --json          print the manifest as JSON
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

export const backupCommand = configCommand({
  name: 'backup',
  summary: 'back up the database and blobs into a directory (safe while the server runs)',
  usage: backupUsage,
  flags: { json: { type: 'boolean' } },
  parse: ({ positionals }) => requirePositionals(positionals, ['DIR'])[0],
  run: async ({ args, values, config, io }) => {
    // Opening would create an empty database; there is nothing to back up.
    if (!existsSync(config.db_path)) throw new AdminCommandError(`no database at ${config.db_path}`)
    const dest = resolve(io.cwd, args)
    const db = Db.open(config.db_path)
    let manifest: BackupManifest
    try {
      manifest = await createBackup({ db, dataDir: config.data_dir, dest, perlskyVersion: VERSION })
    } finally {
      db.close()
    }
    if (values.json) printJson(io, manifest)
    else io.stdout(`backup written to ${dest}\n${summary(manifest)}`)
    return EXIT_OK
  },
})

export const restoreCommand = configCommand({
  name: 'restore',
  summary: 'restore a backup into the configured paths (server stopped)',
  usage: restoreUsage,
  flags: { force: { type: 'boolean' }, json: { type: 'boolean' } },
  parse: ({ positionals }) => requirePositionals(positionals, ['DIR'])[0],
  run: async ({ args, values, config, io }) => {
    const source = resolve(io.cwd, args)
    const manifest = await restoreBackup({
      source,
      dbPath: config.db_path,
      dataDir: config.data_dir,
      force: values.force === true,
    })
    if (values.json) printJson(io, manifest)
    else io.stdout(`restored ${source} into ${config.db_path}\n${summary(manifest)}`)
    return EXIT_OK
  },
})

function summary(m: BackupManifest): string {
  return [
    `  taken     ${m.createdAt} by perlsky ${m.perlskyVersion}`,
    `  database  ${m.databaseBytes} bytes, schema version ${m.schemaVersion}`,
    `  blobs     ${m.blobFiles} files, ${m.blobBytes} bytes`,
    '',
  ].join('\n')
}
