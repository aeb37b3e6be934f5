/**
 * What a command may touch of its process: output streams, environment and working directory.
 * Commands take it as a parameter so tests run them in-process and read what they printed.
 */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  }
}
