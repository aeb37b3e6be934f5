/** `perlsky version`: prints `perlsky <version>`. */
import { VERSION } from '../lib/version.ts'
import { command, EXIT_OK } from './command.ts'

const usage = `usage: perlsky version

Prints the version (package version and git commit of the build).`

export const versionCommand = command({
  name: 'version',
  summary: 'print the version',
  usage,
  run: async ({ io }) => {
    io.stdout(`perlsky ${VERSION}\n`)
    return EXIT_OK
  },
})
