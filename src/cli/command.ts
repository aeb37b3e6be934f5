/**
 * The shape of a CLI command, the one place that turns failures into exit codes (0 ok, 1
 * failure, 2 usage or config error), and the builders every command is made with: `command`
 * (flags and --help) and `configCommand` (also --config/--dev and the loaded config).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { ConfigError } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { CONFIG_FLAGS, loadCliConfig } from './config-source.ts'
import { type CliIo, processIo } from './io.ts'
import { UsageError } from './usage-error.ts'

export { UsageError } from './usage-error.ts'

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

type FlagOptions = NonNullable<ParseArgsConfig['options']>

/** Strict flag parsing: unknown flags and missing values become UsageErrors; positionals are returned. */
function parseFlags<const O extends FlagOptions>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** What parseFlags returns for the options O: `values` typed by the flags, and `positionals`. */
export type ParsedFlags<O extends FlagOptions> = ReturnType<typeof parseFlags<O>>

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const
type WithHelp<O extends FlagOptions> = O & typeof HELP_FLAG
type WithConfig<O extends FlagOptions> = WithHelp<O> & typeof CONFIG_FLAGS

/** How a command is declared; `All` is its flags plus the ones the builder adds. */
export interface CommandSpec<O extends FlagOptions, All extends FlagOptions, A, Extra> {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The full usage text printed by --help and after a usage error. */
  readonly usage: string
  /** The command's own flags; -h/--help (and, for configCommand, -c/--config and --dev) are added. */
  readonly flags?: O
  /**
   * Checks the positionals and flag values and returns what `run` gets as `args`; throws a
   * UsageError. It runs before the config is read. Without it, positionals are refused.
   */
  readonly parse?: (parsed: ParsedFlags<All>) => A
  run(input: ParsedFlags<All> & { readonly args: A; readonly io: CliIo } & Extra): Promise<number>
}

export interface LoadedConfig {
  readonly config: Config
  /** The file the config was read from. */
  readonly configPath: string
}

/** A command without a config: parses its flags, answers --help, then runs. */
export function command<const O extends FlagOptions = Record<never, never>, A = undefined>(
  spec: CommandSpec<O, WithHelp<O>, A, unknown>,
): CliCommand {
  return build(spec, { ...spec.flags, ...HELP_FLAG } as WithHelp<O>, (input) => spec.run(input))
}

/** A command that reads the config: as `command`, plus --config/--dev and the loaded config. */
export function configCommand<const O extends FlagOptions = Record<never, never>, A = undefined>(
  spec: CommandSpec<O, WithConfig<O>, A, LoadedConfig>,
): CliCommand {
  const options = { ...spec.flags, ...HELP_FLAG, ...CONFIG_FLAGS } as WithConfig<O>
  return build(spec, options, (input) => {
    const { config, path } = loadCliConfig(input.values, input.io)
    return spec.run({ ...input, config, configPath: path })
  })
}

type Input<All extends FlagOptions, A> = ParsedFlags<All> & { readonly args: A; readonly io: CliIo }

function build<All extends FlagOptions, A>(
  spec: Pick<CommandSpec<FlagOptions, All, A, unknown>, 'name' | 'summary' | 'usage' | 'parse'>,
  options: All,
  run: (input: Input<All, A>) => Promise<number>,
): CliCommand {
  const { name, summary, usage, parse } = spec
  return {
    name,
    summary,
    usage,
    run: (argv, io = processIo()) =>
      runGuarded(io, usage, async () => {
        const parsed: ParsedFlags<All> = parseFlags(argv, options)
        if ((parsed.values as { help?: boolean }).help) {
          io.stdout(`${usage}\n`)
          return EXIT_OK
        }
        if (parse === undefined) expectNoPositionals(parsed.positionals)
        const args = parse === undefined ? (undefined as A) : parse(parsed)
        return run({ ...parsed, args, io })
      }),
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

/**
 * The positional arguments named in `names`, in order: a missing one or an extra one is a
 * UsageError. `requirePositionals(positionals, ['DIR'])` returns `[dir]`.
 */
export function requirePositionals<const N extends readonly string[]>(
  positionals: string[],
  names: N,
): { [K in keyof N]: string } {
  const missing = names[positionals.length]
  if (missing !== undefined) throw new UsageError(`missing the ${missing} argument`)
  expectNoPositionals(positionals.slice(names.length))
  return positionals.slice(0, names.length) as { [K in keyof N]: string }
}

/** Rejects positional arguments a command does not take. */
export function expectNoPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
}
