/**
 * The services every layer above uses, built once from a Config: the logger, the database (with
 * pending migrations applied) and the health check. Later services (accounts, repo, sequencer)
 * are added here so the HTTP layer and admin commands share one construction path.
 */
import type { Config } from '../config/schema.ts'
import { type Lexicons, loadBuiltinLexicons } from '../core/lexicon/index.ts'
import { TidClock } from '../core/tid-clock.ts'
import { createLogger, type Logger } from '../lib/logger.ts'
import { VERSION } from '../lib/version.ts'
import { Db } from '../storage/database.ts'
import { migrate } from '../storage/migrate.ts'
import { AccountService } from './accounts/account-service.ts'
import { identityPort } from './accounts/identity-port.ts'
import { AdminService } from './admin/index.ts'
import type { BlobService } from './blobs/index.ts'
import type { Mailer } from './email/mailer.ts'
import { type IdentityNetworkOverrides, IdentityService } from './identity/index.ts'
import { Metrics, readStorageSources } from './metrics/index.ts'
import { ModerationService } from './moderation/index.ts'
import type { PreferencesService } from './preferences/index.ts'
import { buildRepoServices, type RepoService } from './repo/index.ts'
import { createErrorReporter, type ErrorReporter } from './sentry/index.ts'
import type { Sequencer } from './sequencer/index.ts'

export type { Logger } from '../lib/logger.ts'

export interface AppContext {
  /** The validated, frozen config (snake_case keys as in the seed). */
  readonly config: Config
  readonly logger: Logger
  readonly db: Db
  /**
   * DID and handle resolution, the PLC directory (one SSRF-guarded fetch), and the
   * com.atproto.identity operations (handle updates, PLC operations, per-handle hosts).
   */
  readonly identity: IdentityService
  /** Accounts, sessions, app passwords, invites, email-token flows. */
  readonly accounts: AccountService
  /** Outgoing email (SMTP when configured) and its outbox. */
  readonly mailer: Mailer
  /** The one TID clock for revs and record keys. */
  readonly tid: TidClock
  readonly sequencer: Sequencer
  readonly repo: RepoService
  readonly blobs: BlobService
  readonly preferences: PreferencesService
  /** Takedowns (accounts, records, blobs) and the reports kept here (docs/ADMIN.md). */
  readonly moderation: ModerationService
  /** The com.atproto.admin account operations and the com.atproto.temp sign-up helpers. */
  readonly admin: AdminService
  /** Prometheus metrics (docs/METRICS.md); src/http/metrics.ts serves them. */
  readonly metrics: Metrics
  /** Sentry reports of unhandled exceptions; does nothing without sentry_dsn. */
  readonly errorReporter: ErrorReporter
  /** Throws DatabaseUnavailableError when the database cannot answer a trivial query. */
  healthCheck(): void
  /** Closes the database; safe to call twice. */
  close(): Promise<void>
}

export interface ContextOptions {
  logger?: Logger
  /** Defaults to the built-in lexicons. */
  lexicons?: Lexicons
  /** Test doubles for DNS and outbound HTTP of identity resolution. */
  identityNetwork?: IdentityNetworkOverrides
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
  // Identity reaches the accounts and the sequencer, built after it, through getters.
  const identity = new IdentityService({
    db,
    config,
    logger,
    accounts: () => accounts,
    events: () => repoServices.sequencer,
    ...(opts.identityNetwork === undefined ? {} : { network: opts.identityNetwork }),
  })
  const tid = new TidClock()
  // The accounts service comes first (the repo signs with its keys); it reaches the repo and the
  // sequencer, built right after, through getters.
  const accounts = new AccountService({
    db,
    config,
    logger,
    identity: identityPort(identity),
    repo: () => repoServices.repo,
    events: () => repoServices.sequencer,
  })
  const repoServices = buildRepoServices({
    db,
    dataDir: config.data_dir,
    logger,
    lexicons: opts.lexicons ?? loadBuiltinLexicons(),
    tid,
    accounts,
    resolveDidDoc: async (did) => (await identity.dids.resolve(did)) ?? undefined,
  })
  repoServices.blobs.sweeper.start()
  const metrics = new Metrics({ version: VERSION })
  db.transactionObserver = metrics.dbTransaction
  readStorageSources(metrics, { db, accounts: accounts.tables.accounts, sequencer: repoServices.sequencer })
  const errorReporter = createErrorReporter({
    dsn: config.sentry_dsn,
    baseUrl: config.base_url,
    release: VERSION,
    serverName: config.hostname,
    logger,
  })
  const { sequencer } = repoServices
  const { moderation, admin } = buildAdmin({ db, config, logger, accounts, identity, events: sequencer })
  return {
    config,
    logger,
    db,
    identity,
    accounts,
    mailer: accounts.mailer,
    tid,
    ...repoServices,
    moderation,
    admin,
    metrics,
    errorReporter,
    healthCheck: () => db.healthCheck(),
    close: async () => {
      await errorReporter.close()
      repoServices.blobs.sweeper.stop()
      repoServices.sequencer.close()
      db.close()
    },
  }
}

/** Moderation (takedowns, reports) and the admin account operations, over the services above. */
function buildAdmin(opts: {
  db: Db
  config: Config
  logger: Logger
  accounts: AccountService
  identity: IdentityService
  events: Sequencer
}): { moderation: ModerationService; admin: AdminService } {
  const moderation = new ModerationService(opts)
  const store = moderation.tables.accounts
  return { moderation, admin: new AdminService({ ...opts, store, mailer: opts.accounts.mailer }) }
}
