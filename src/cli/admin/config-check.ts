/** `perlsky admin config-check`: validates the config and prints it with secrets redacted. */
import { redactConfig } from '../../config/load.ts'
import { type CliCommand, EXIT_OK, expectNoPositionals, parseFlags, runGuarded } from '../command.ts'
import { CONFIG_FLAGS, CONFIG_FLAGS_USAGE, loadCliConfig } from '../config-source.ts'
import { processIo } from '../io.ts'

const usage = `usage: perlsky admin config-check [--config FILE | --dev]

Loads and validates the config, then prints it as JSON with every default applied and secrets
redacted. Exits 2 and lists every problem when the config is invalid.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

export const configCheckCommand: CliCommand = {
  name: 'config-check',
  summary: 'validate the config and print it with secrets redacted',
  usage,
  run: (args, io = processIo()) =>
    runGuarded(io, usage, async () => {
      const { values, positionals } = parseFlags(args, {
        ...CONFIG_FLAGS,
        help: { type: 'boolean', short: 'h' },
      })
      if (values.help) {
        io.stdout(`${usage}\n`)
        return EXIT_OK
      }
      expectNoPositionals(positionals)
      const { config } = loadCliConfig(values, io)
      io.stdout(`${JSON.stringify(redactConfig(config), null, 2)}\n`)
      return EXIT_OK
    }),
}
