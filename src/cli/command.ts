/**
 * The shape of a CLI command and the one place that turns failures into exit codes:
 * 0 ok, 1 failure, 2 usage or config error.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { ConfigError } from '../config/load.ts'
import type { CliIo } from './io.ts'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export interface CliCommand {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The full usage text printed by --help and after a usage error. */
  readonly usage: string
  run(args: string[], io?: CliIo): Promise<number>
}

export class UsageError extends Error {
  override name = 'UsageError'
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>

/** Strict flag parsing: unknown flags and missing values become UsageErrors; positionals are returned. */
export function parseFlags<const O extends FlagOptions>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** Runs a command body and maps what it throws to a message on stderr and an exit code. */
export async function runGuarded(io: CliIo, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`perlsky: ${err.message}\n\n${usage}\n`)
      return EXIT_USAGE
    }
    if (err instanceof ConfigError) {
      io.stderr(`${err.problems.join('\n')}\n`)
      return EXIT_USAGE
    }
    io.stderr(`perlsky: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT_FAILURE
  }
}

/** Rejects positional arguments a command does not take. */
export function expectNoPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
}
