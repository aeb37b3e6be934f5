/**
 * The services every layer above uses, built once from a Config, so that the server and the admin
 * commands share one construction path. Building starts nothing: a server starts `background`.
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
import { type BackgroundWork, backgroundWork } from './background.ts'
import type { BlobService } from './blobs/index.ts'
import { createCrawlerNotifier } from './crawlers/index.ts'
import type { Mailer } from './email/mailer.ts'
import { createFirehose, type Firehose } from './firehose/index.ts'
import { type IdentityNetworkOverrides, IdentityService } from './identity/index.ts'
import { Metrics, readStorageSources } from './metrics/index.ts'
import { ModerationService } from './moderation/index.ts'
import type { PreferencesService } from './preferences/index.ts'
import { buildRepoServices, type RepoService } from './repo/index.ts'
import { createErrorReporter, type ErrorReporter } from './sentry/index.ts'
import type { Sequencer } from './sequencer/index.ts'
import { NoncePool } from './signing/nonce-pool.ts'

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
  /** com.atproto.sync.subscribeRepos subscriptions (src/http/firehose.ts connects sockets). */
  readonly firehose: Firehose
  /** Firehose delivery, pruning, crawler notices, the blob sweep: started by a server only. */
  readonly background: BackgroundWork
  /** Throws DatabaseUnavailableError when the database cannot answer a trivial query. */
  healthCheck(): void
  /** Stops the background work and closes the database; safe to call twice. */
  close(): Promise<void>
}

export interface ContextOptions {
  logger?: Logger
  /** Defaults to the built-in lexicons. */
  lexicons?: Lexicons
  /** Test doubles for DNS and outbound HTTP of identity resolution. */
  identityNetwork?: IdentityNetworkOverrides
}

/** Opens the database, applies pending migrations and wires the services (nothing started). */
export function createContext(config: Config, opts: ContextOptions = {}): AppContext {
  const logger = opts.logger ?? createLogger({ level: config.log_level })
  const db = openMigrated(config, logger)
  const core = buildCore(db, config, logger, opts)
  const { sequencer } = core
  const ops = buildOperations(db, config, logger, core)
  const serving = buildServing(db, config, logger, core, ops.metrics)
  return {
    config,
    logger,
    db,
    ...core,
    mailer: core.accounts.mailer,
    ...ops,
    ...serving,
    healthCheck: () => db.healthCheck(),
    close: async () => {
      serving.background.stop()
      await ops.errorReporter.close()
      sequencer.close()
      db.close()
    },
  }
}

function openMigrated(config: Config, logger: Logger): Db {
  const db = Db.open(config.db_path)
  try {
    for (const m of migrate(db)) logger.info('applied migration', { id: m.id, name: m.name })
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * Identity, accounts and the repository. They need each other (the repo signs with account keys,
 * accounts create repos and sequence events, identity updates accounts), so the ones built first
 * reach the later ones through getters.
 */
function buildCore(db: Db, config: Config, logger: Logger, opts: ContextOptions) {
  const nonces = new NoncePool(logger)
  const identity = new IdentityService({
    db,
    config,
    logger,
    accounts: () => accounts,
    events: () => repoServices.sequencer,
    ...(opts.identityNetwork === undefined ? {} : { network: opts.identityNetwork }),
  })
  const accounts = new AccountService({
    db,
    config,
    logger,
    identity: identityPort(identity),
    repo: () => repoServices.repo,
    events: () => repoServices.sequencer,
    nonces,
  })
  const tid = new TidClock()
  const repoServices = buildRepoServices({
    db,
    dataDir: config.data_dir,
    logger,
    lexicons: opts.lexicons ?? loadBuiltinLexicons(),
    tid,
    accounts,
    resolveDidDoc: async (did) => (await identity.dids.resolve(did)) ?? undefined,
  })
  return { identity, accounts, tid, nonces, ...repoServices }
}

type Core = ReturnType<typeof buildCore>

/** Moderation and the admin operations, metrics and error reports. */
function buildOperations(db: Db, config: Config, logger: Logger, core: Core) {
  const { accounts, identity, sequencer } = core
  const metrics = new Metrics({ version: VERSION })
  db.transactionObserver = metrics.dbTransaction
  readStorageSources(metrics, { db, accounts: accounts.tables.accounts, sequencer })
  const errorReporter = createErrorReporter({
    dsn: config.sentry_dsn,
    baseUrl: config.base_url,
    release: VERSION,
    serverName: config.hostname,
    logger,
  })
  const moderation = new ModerationService({ db, config, logger, accounts, events: sequencer })
  const admin = new AdminService({
    db,
    config,
    logger,
    accounts,
    identity,
    events: sequencer,
    store: moderation.tables.accounts,
    mailer: accounts.mailer,
  })
  return { metrics, errorReporter, moderation, admin }
}

/** The firehose and the background work a server starts (services/background.ts). */
function buildServing(db: Db, config: Config, logger: Logger, core: Core, metrics: Metrics) {
  const { sequencer, nonces } = core
  const { firehose, pruner } = createFirehose(config, { db, sequencer, logger })
  metrics.sources.firehoseSubscribers = () =>
    firehose.subscriberCount + metrics.firehoseTally.threadSubscribers
  const crawlers = createCrawlerNotifier(config, db, logger, {
    onAttempt: (attempt) => metrics.crawlerAttempt(attempt),
  })
  const sweeper = core.blobs.sweeper
  return { firehose, background: backgroundWork({ firehose, pruner, crawlers, sweeper, sequencer, nonces }) }
}
