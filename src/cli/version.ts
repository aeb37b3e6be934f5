/** `perlsky version`: prints `perlsky <version>`. */
import { VERSION } from '../lib/version.ts'
import { type CliCommand, EXIT_OK, expectNoPositionals, parseFlags, runGuarded } from './command.ts'
import { processIo } from './io.ts'

const usage = `usage: perlsky version

Prints the version (package version and git commit of the build).`

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'print the version',
  usage,
  run: (args, io = processIo()) =>
    runGuarded(io, usage, async () => {
      const { values, positionals } = parseFlags(args, { help: { type: 'boolean', short: 'h' } })
      if (values.help) {
        io.stdout(`${usage}\n`)
        return EXIT_OK
      }
      expectNoPositionals(positionals)
      io.stdout(`perlsky ${VERSION}\n`)
      return EXIT_OK
    }),
}
