/**
 * Command tables: `perlsky <command>` and `perlsky admin <command>` share this dispatcher, which
 * also answers `help [command]`, `--help` and unknown commands (usage on stderr, exit 2).
 */
import { type CliCommand, EXIT_OK, EXIT_USAGE } from './command.ts'
import { type CliIo, processIo } from './io.ts'

export interface CommandGroup {
  /** How the group is invoked: "perlsky" or "perlsky admin". */
  readonly prefix: string
  readonly intro: string
  readonly commands: readonly CliCommand[]
  readonly footer?: string
}

export function groupUsage(group: CommandGroup): string {
  const width = Math.max(4, ...group.commands.map((c) => c.name.length)) + 2
  const lines = group.commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`)
  lines.push(`  ${'help'.padEnd(width)}show this help, or the help of one command`)
  const footer = group.footer ? `\n\n${group.footer}` : ''
  return `usage: ${group.prefix} <command> [options]\n\n${group.intro}\n\ncommands:\n${lines.join('\n')}${footer}`
}

export async function dispatch(group: CommandGroup, argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr(`${groupUsage(group)}\n`)
    return EXIT_USAGE
  }
  if (name === 'help' || name === '--help' || name === '-h') return help(group, rest, io)
  const command = group.commands.find((c) => c.name === name)
  if (command === undefined) {
    io.stderr(`${group.prefix}: unknown command '${name}'\n\n${groupUsage(group)}\n`)
    return EXIT_USAGE
  }
  return command.run(rest, io)
}

function help(group: CommandGroup, topics: string[], io: CliIo): number {
  const [topic, ...extra] = topics
  if (topic === undefined) {
    io.stdout(`${groupUsage(group)}\n`)
    return EXIT_OK
  }
  const command = group.commands.find((c) => c.name === topic)
  if (command === undefined || extra.length > 0) {
    io.stderr(`${group.prefix}: no help for '${topics.join(' ')}'\n\n${groupUsage(group)}\n`)
    return EXIT_USAGE
  }
  io.stdout(`${command.usage}\n`)
  return EXIT_OK
}

/** A command made of subcommands (`perlsky admin <name> <subcommand>`), dispatched as above. */
export function groupCommand(spec: {
  name: string
  summary: string
  intro: string
  commands: readonly CliCommand[]
  /** How the group is invoked; defaults to "perlsky admin <name>". */
  prefix?: string
}): CliCommand {
  const group: CommandGroup = {
    prefix: spec.prefix ?? `perlsky admin ${spec.name}`,
    intro: spec.intro,
    commands: spec.commands,
  }
  return {
    name: spec.name,
    summary: spec.summary,
    usage: groupUsage(group),
    run: (args, io = processIo()) => dispatch(group, args, io),
  }
}
