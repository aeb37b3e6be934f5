/**
 * Turns the parsed JSON of a config file into a validated, frozen Config. Pure: no file system,
 * no environment. Every problem is reported at once, one `config error: <key>: <what>` line each,
 * and no line ever contains a value (several values are secrets).
 */
import { isAbsolute, join, resolve } from 'node:path'
import type { z } from 'zod'
import { CONFIG_KEYS, type Config, configSchema, SECRET_KEYS } from './schema.ts'
import { redactSentryDsn } from './syntax.ts'

export class ConfigError extends Error {
  override name = 'ConfigError'
  /** One `config error: <key>: <what is wrong>` line per problem. */
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(problems.join('\n'))
    this.problems = problems
  }
}

export const DEFAULT_DB_FILE = 'perlsky.sqlite'

export function loadConfig(json: unknown, configDir: string): Config {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(['config error: (file): must be a JSON object of settings'])
  }
  const result = configSchema.safeParse(json, { error: describeIssue })
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `config error: ${keyOf(issue)}: ${issue.message}`),
    )
  }
  const parsed = result.data
  const dataDir = resolvePath(configDir, parsed.data_dir)
  const config: Config = {
    ...parsed,
    hostname: parsed.hostname ?? new URL(parsed.base_url).hostname,
    data_dir: dataDir,
    db_path:
      parsed.db_path === undefined ? join(dataDir, DEFAULT_DB_FILE) : resolvePath(configDir, parsed.db_path),
    crawlers: Object.freeze([...parsed.crawlers]),
  }
  return Object.freeze(config)
}

/**
 * Things worth telling the operator that do not stop the server: unknown keys (usually typos)
 * and testing knobs left on for a public https origin.
 */
export function configWarnings(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return []
  const record = json as Record<string, unknown>
  const known = new Set(CONFIG_KEYS)
  const warnings = Object.keys(record)
    .filter((key) => !known.has(key))
    .map((key) => `config warning: unknown key ${JSON.stringify(key)} (ignored)`)
  const isPublic = typeof record.base_url === 'string' && record.base_url.startsWith('https://')
  for (const knob of ['testing_auto_confirm_email', 'testing_allow_unauthenticated_email_confirm']) {
    if (isPublic && record[knob] === true) {
      warnings.push(`config warning: ${knob}: is on for a public https base_url; leave it off in production`)
    }
  }
  return warnings
}

/** A copy safe to log or print: secrets replaced, the Sentry DSN keeps only its host and project. */
export function redactConfig(config: Config): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config, crawlers: [...config.crawlers] }
  for (const key of SECRET_KEYS) {
    const value = config[key]
    if (value === undefined) continue
    copy[key] = key === 'sentry_dsn' ? redactSentryDsn(value) : '[redacted]'
  }
  return copy
}

function resolvePath(configDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(configDir, path)
}

function keyOf(issue: z.core.$ZodIssue): string {
  if (issue.path.length === 0) return '(file)'
  return issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('')
}

/** Messages for zod's built-in checks; the schema's own messages take precedence. */
function describeIssue(issue: z.core.$ZodRawIssue): string {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? 'is required'
      : `must be ${article(issue.expected)}, not ${typeName(issue.input)}`
  }
  return 'is not valid'
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return article(typeof value)
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`
}
