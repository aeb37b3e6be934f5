/**
 * Shared by the admin CLI tests: commands run in-process through `runCli` with their output
 * captured, and config files pointing at a harness's data (or at another data directory).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../../src/cli/index.ts'
import type { CliIo } from '../../src/cli/io.ts'
import type { Harness } from './harness.ts'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs `perlsky <argv...>` in-process, in `cwd`, and returns its exit code and output. */
export async function runPerlsky(argv: string[], cwd: string): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (t) => {
      stdout += t
    },
    stderr: (t) => {
      stderr += t
    },
    env: {},
    cwd,
  }
  const code = await runCli(argv, io)
  return { code, stdout, stderr }
}

let configs = 0

/**
 * Writes a config file (mode 0600) in `dir` for the harness's public URL and data; `extra` keys
 * override, e.g. `{ data_dir: other, db_path: undefined }` for another data directory.
 */
export function harnessConfig(dir: string, h: Harness, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `perlsky-${++configs}.json`)
  const json = {
    base_url: h.baseUrl,
    service_handle_domain: h.config.service_handle_domain,
    account_did_method: h.config.account_did_method,
    jwt_secret: h.config.jwt_secret,
    data_dir: h.dataDir,
    db_path: h.config.db_path,
    log_level: 'error',
    ...extra,
  }
  writeFileSync(path, JSON.stringify(json), { mode: 0o600 })
  return path
}
