/** The `perlsky` command table (see `perlsky help`). */
import { adminCommand } from './admin/index.ts'
import type { CliCommand } from './command.ts'
import { type CommandGroup, dispatch } from './dispatch.ts'
import { type CliIo, processIo } from './io.ts'
import { migrateCommand } from './migrate.ts'
import { serveCommand } from './serve.ts'
import { versionCommand } from './version.ts'

export const COMMANDS: readonly CliCommand[] = [serveCommand, migrateCommand, adminCommand, versionCommand]

const rootGroup: CommandGroup = {
  prefix: 'perlsky',
  intro: 'perlsky is an AT Protocol Personal Data Server.',
  commands: COMMANDS,
  footer:
    'The config is a JSON file given with --config FILE or the PERLSKY_CONFIG environment variable.\n' +
    'Run `perlsky help <command>` or `perlsky <command> --help` for the options of a command.',
}

/** Runs `perlsky <argv...>` and resolves to the exit code. */
export function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) return versionCommand.run([], io)
  return dispatch(rootGroup, argv, io)
}
