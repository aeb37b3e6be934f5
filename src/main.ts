/** The perlsky executable: `perlsky <command>`; see src/cli/index.ts for the command table. */
import { runCli } from './cli/index.ts'

process.exit(await runCli(process.argv.slice(2)))
