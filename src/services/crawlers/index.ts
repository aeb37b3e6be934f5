/** Crawler (relay) notification: requestCrawl at start-up and after repo activity. */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import { VERSION } from '../../lib/version.ts'
import type { Db } from '../../storage/database.ts'
import { CrawlerStatusRows } from '../../storage/sync/index.ts'
import { createSafeFetch, isLoopbackOrigin } from '../outbound/index.ts'
import { CrawlerNotifier, type CrawlerNotifierOptions } from './crawlers.ts'

export { type ActivitySource, CrawlerNotifier, type CrawlerNotifierOptions } from './crawlers.ts'

const TIMEOUT_MS = 10_000
const MAX_ANSWER_BYTES = 64 * 1024

export interface CrawlerSetup {
  /** Allow crawlers on loopback and private addresses; default: only when base_url is on loopback. */
  readonly allowPrivate?: boolean
  /** Overrides `crawlers` (admin request-crawl URL). */
  readonly crawlers?: readonly string[]
  /** Told every answer or failure (the metrics). */
  readonly onAttempt?: CrawlerNotifierOptions['onAttempt']
}

/** The notifier for a config: its crawlers, hostname and interval, with the SSRF-guarded fetch. */
export function createCrawlerNotifier(
  config: Config,
  db: Db,
  logger: Logger,
  setup: CrawlerSetup = {},
): CrawlerNotifier {
  const fetch = createSafeFetch({
    allowPrivate: setup.allowPrivate ?? isLoopbackOrigin(config.base_url),
    timeoutMs: TIMEOUT_MS,
    maxBytes: MAX_ANSWER_BYTES,
    userAgent: `perlsky/${VERSION}`,
  })
  return new CrawlerNotifier({
    crawlers: setup.crawlers ?? config.crawlers,
    hostname: config.hostname,
    intervalMs: config.crawler_notify_interval * 1000,
    fetch,
    status: new CrawlerStatusRows(db),
    logger,
    timeoutMs: TIMEOUT_MS,
    onAttempt: setup.onAttempt,
  })
}
