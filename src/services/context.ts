/**
 * The services every layer above uses, built once from a Config: the logger, the database (with
 * pending migrations applied) and the health check. Later services (accounts, repo, sequencer)
 * are added here so the HTTP layer and admin commands share one construction path.
 */
import type { Config } from '../config/schema.ts'
import { createLogger, type Logger } from '../lib/logger.ts'
import { Db } from '../storage/database.ts'
import { migrate } from '../storage/migrate.ts'

export type { Logger } from '../lib/logger.ts'

export interface AppContext {
  /** The validated, frozen config (snake_case keys as in the seed). */
  readonly config: Config
  readonly logger: Logger
  readonly db: Db
  /** Throws DatabaseUnavailableError when the database cannot answer a trivial query. */
  healthCheck(): void
  /** Closes the database; safe to call twice. */
  close(): Promise<void>
}

export interface ContextOptions {
  logger?: Logger
}

/** Opens the database, applies pending migrations and wires the services. */
export function createContext(config: Config, opts: ContextOptions = {}): AppContext {
  const logger = opts.logger ?? createLogger({ level: config.log_level })
  const db = Db.open(config.db_path)
  try {
    for (const m of migrate(db)) logger.info('applied migration', { id: m.id, name: m.name })
  } catch (err) {
    db.close()
    throw err
  }
  return {
    config,
    logger,
    db,
    healthCheck: () => db.healthCheck(),
    close: async () => db.close(),
  }
}
