/**
 * The one logger: JSON lines when the output is not a terminal (journald, containers, files),
 * readable lines in a terminal. Logs go to stderr so stdout stays free for command output
 * (`perlsky admin config-check | jq` works). Fields whose names look like secrets are replaced by
 * "[redacted]" at any depth, so a careless `logger.info('x', { body })` cannot leak a password.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds `fields` to every line (a request id, a subsystem name). */
  child(fields: LogFields): Logger
}

export interface LoggerOptions {
  level?: LogLevel
  /** 'json' or 'pretty'; defaults to pretty when the sink is a terminal. */
  format?: 'json' | 'pretty'
  /** Receives each finished line, newline included. Defaults to stderr. */
  sink?: (line: string) => void
  fields?: LogFields
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET_FIELD = /password|passwd|token|jwt|secret|authorization|cookie|private_?key|dsn/i
const MAX_DEPTH = 5
export const REDACTED = '[redacted]'

export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? ((line: string) => process.stderr.write(line))
  const format = opts.format ?? (opts.sink === undefined && process.stderr.isTTY ? 'pretty' : 'json')
  const state: LoggerState = {
    minRank: LEVEL_RANK[opts.level ?? 'info'],
    render: format === 'json' ? renderJson : renderPretty,
    sink,
    now: opts.now ?? (() => new Date()),
  }
  return makeLogger(state, opts.fields ?? {})
}

/** A logger that drops everything (tests, commands that must print nothing but their output). */
export function silentLogger(): Logger {
  const noop = () => {}
  const logger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger }
  return logger
}

/** Copies `value`, replacing secret-named fields and turning Errors into plain objects. */
export function redactFields(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack }
  }
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value
  }
  if (depth >= MAX_DEPTH) return '[truncated]'
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1))
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`
  const out: LogFields = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_FIELD.test(key) ? REDACTED : redactFields(v, depth + 1)
  }
  return out
}

interface LoggerState {
  minRank: number
  render: (time: Date, level: LogLevel, msg: string, fields: LogFields) => string
  sink: (line: string) => void
  now: () => Date
}

function makeLogger(state: LoggerState, base: LogFields): Logger {
  const log = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < state.minRank) return
    const merged = redactFields(fields === undefined ? base : { ...base, ...fields }) as LogFields
    state.sink(state.render(state.now(), level, msg, merged))
  }
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => makeLogger(state, { ...base, ...fields }),
  }
}

function renderJson(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  return `${JSON.stringify({ time: time.toISOString(), level, msg, ...fields })}\n`
}

function renderPretty(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const clock = time.toISOString().slice(11, 23)
  let line = `${clock} ${level.toUpperCase().padEnd(5)} ${msg}`
  for (const [key, value] of Object.entries(fields)) {
    line += ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`
  }
  return `${line}\n`
}
