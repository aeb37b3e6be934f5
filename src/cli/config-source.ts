/**
 * Where a command's config comes from: `--config FILE`, then `--dev`, then PERLSKY_CONFIG, then
 * (only when running from source) the local dev config. The compiled binary never falls back to
 * the dev config: a production server started without its config must fail loudly.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { buildDevConfig, DEV_CONFIG_DIR, DEV_CONFIG_FILE } from '../config/dev.ts'
import { ConfigError, configWarnings, loadConfig } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { IS_COMPILED_BUILD } from '../lib/version.ts'
import type { CliIo } from './io.ts'
import { UsageError } from './usage-error.ts'

/** The flags every config-reading command accepts. */
export const CONFIG_FLAGS = {
  config: { type: 'string', short: 'c' },
  dev: { type: 'boolean' },
} as const

export const CONFIG_FLAGS_USAGE = `  -c, --config FILE   the JSON config file (default: $PERLSKY_CONFIG)
      --dev           use the local development config (./data/dev-config.json, created once)`

export interface ConfigFlagValues {
  config?: string | undefined
  dev?: boolean | undefined
}

export interface LoadedCliConfig {
  config: Config
  /** The file the config was read from. */
  path: string
}

/** Finds, reads and validates the config; prints warnings to stderr; throws ConfigError/UsageError. */
export function loadCliConfig(flags: ConfigFlagValues, io: CliIo): LoadedCliConfig {
  if (flags.config !== undefined && flags.dev) throw new UsageError('--config and --dev exclude each other')
  const explicit = flags.config ?? (flags.dev ? undefined : io.env.PERLSKY_CONFIG)
  let path: string
  if (explicit !== undefined && explicit !== '') {
    path = resolve(io.cwd, explicit)
  } else if (flags.dev || !IS_COMPILED_BUILD) {
    path = ensureDevConfigFile(io)
  } else {
    throw new UsageError('no config: pass --config FILE or set PERLSKY_CONFIG (or --dev for a local server)')
  }
  const json = readConfigFile(path)
  const config = loadConfig(json, dirname(path))
  for (const warning of [...configWarnings(json), ...permissionWarnings(path)]) io.stderr(`${warning}\n`)
  return { config, path }
}

/** Reads and parses a JSON config file; failures become ConfigErrors naming the file. */
export function readConfigFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    throw new ConfigError([`config error: ${path}: cannot be read (${code})`])
  }
  try {
    return JSON.parse(text)
  } catch {
    // The parser's message quotes the offending text, which may be a secret: point to jq instead.
    throw new ConfigError([`config error: ${path}: is not valid JSON (see the problem with: jq . ${path})`])
  }
}

function devConfigPath(io: CliIo): string {
  return join(io.cwd, DEV_CONFIG_DIR, DEV_CONFIG_FILE)
}

/** Writes a fresh dev config (mode 0600) unless one exists, and returns its path. */
function ensureDevConfigFile(io: CliIo): string {
  const path = devConfigPath(io)
  if (existsSync(path)) return path
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  try {
    writeFileSync(path, `${JSON.stringify(buildDevConfig(), null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    io.stderr(`created the dev config ${path}\n`)
  } catch (err) {
    // Another process created it between the check and the write: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return path
}

/** The config holds secrets: say so when every user of the machine can read it. */
function permissionWarnings(path: string): string[] {
  const mode = statSync(path).mode
  return mode & 0o004 ? [`config warning: ${path}: is readable by every user; restrict it (chmod 640)`] : []
}
