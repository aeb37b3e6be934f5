/** `perlsky admin config-check`: validates the config and prints it with secrets redacted. */
import { redactConfig } from '../../config/load.ts'
import { configCommand, EXIT_OK } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'

const usage = `usage: perlsky admin config-check [--config FILE | --dev]

Loads and validates the config, then prints it as JSON with every default applied and secrets
redacted. Exits 2 and lists every problem when the config is invalid.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

export const configCheckCommand = configCommand({
  name: 'config-check',
  summary: 'validate the config and print it with secrets redacted',
  usage,
  run: async ({ config, io }) => {
    io.stdout(`${JSON.stringify(redactConfig(config), null, 2)}\n`)
    return EXIT_OK
  },
})
