/** Runs the CLI in-process, as `perlsky <argv...>` would, with its output captured. */
import { runCli } from '../../src/cli/index.ts'
import type { CliIo } from '../../src/cli/io.ts'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs `perlsky <argv...>` in `cwd` with the environment `env`; its exit code and output. */
export async function runPerlsky(
  argv: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (t) => {
      stdout += t
    },
    stderr: (t) => {
      stderr += t
    },
    env,
    cwd,
  }
  const code = await runCli(argv, io)
  return { code, stdout, stderr }
}
