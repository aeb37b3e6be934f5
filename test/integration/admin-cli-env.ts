/**
 * Shared by the CLI integration tests: config files pointing at a harness's data (or at another
 * data directory). Commands run in-process with test/helpers/cli-run.ts.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Harness } from './harness.ts'

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
