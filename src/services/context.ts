/**
 * CONTRACT STUB (owned by the config/storage/CLI work): the services every layer above uses,
 * built once from a Config. Replace the body; keep the shape the HTTP layer relies on.
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

export interface AppContext {
  /** The validated, frozen config (snake_case keys as in the seed). */
  readonly config: Readonly<Record<string, unknown>> & { base_url: string; hostname: string; port: number; host: string }
  readonly logger: Logger
  /** Throws when the database cannot answer a trivial query. */
  healthCheck(): void
  close(): Promise<void>
}
