/**
 * Telling relays about this server: `com.atproto.sync.requestCrawl {hostname}` to each configured
 * crawler (`crawlers`), so that they subscribe to our firehose. Sent at start-up and after repo
 * activity, at most once per `crawler_notify_interval`: activity inside the interval is announced
 * once when the interval ends (a trailing call), so the last burst of activity is never left
 * unannounced. Every answer, or failure, is recorded in crawler_status for operators. The calls
 * go through the SSRF-guarded fetch, each with its own timeout; one slow crawler does not hold
 * up the others.
 */
import type { Logger } from '../../lib/logger.ts'
import type { CrawlerAttempt, CrawlerStatusRows } from '../../storage/sync/index.ts'
import type { SafeFetch } from '../outbound/index.ts'

export interface CrawlerNotifierOptions {
  /** Base URLs of the crawlers (relays), without a trailing slash. */
  readonly crawlers: readonly string[]
  /** Our public host name, the `hostname` of the request. */
  readonly hostname: string
  readonly intervalMs: number
  readonly fetch: SafeFetch
  readonly status: CrawlerStatusRows
  readonly logger: Logger
  /** Per-crawler request timeout; default 10 s. */
  readonly timeoutMs?: number
  readonly now?: () => number
  /** Runs `fn` after `ms`; returns the cancel function. Injected by tests; default setTimeout. */
  readonly schedule?: (fn: () => void, ms: number) => () => void
  /** Told every answer or failure (the metrics). */
  readonly onAttempt?: (attempt: CrawlerAttempt) => void
}

/** Subscribes to repo activity; returns the unsubscribe function. */
export type ActivitySource = (listener: () => void) => () => void

const REQUEST_CRAWL_PATH = '/xrpc/com.atproto.sync.requestCrawl'
const DEFAULT_TIMEOUT_MS = 10_000
/** How much of a refusal's body is kept as its message. */
const MAX_MESSAGE_CHARS = 300

export class CrawlerNotifier {
  private lastNotifiedAt = Number.NEGATIVE_INFINITY
  private cancelTrailing: (() => void) | undefined
  private unsubscribe: (() => void) | undefined
  private readonly now: () => number
  private readonly schedule: (fn: () => void, ms: number) => () => void

  constructor(private readonly opts: CrawlerNotifierOptions) {
    this.now = opts.now ?? Date.now
    this.schedule = opts.schedule ?? unrefTimeout
  }

  get crawlers(): readonly string[] {
    return this.opts.crawlers
  }

  /** Notifies every crawler now, then after activity. Nothing happens without crawlers. */
  start(activity: ActivitySource): void {
    if (this.opts.crawlers.length === 0 || this.unsubscribe) return
    this.unsubscribe = activity(() => this.onActivity())
    this.run()
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.cancelTrailing?.()
    this.cancelTrailing = undefined
  }

  /** Repo activity: notify now if the interval has passed, else once when it does. */
  onActivity(): void {
    if (this.cancelTrailing) return
    const wait = this.lastNotifiedAt + this.opts.intervalMs - this.now()
    if (wait <= 0) {
      this.run()
      return
    }
    this.cancelTrailing = this.schedule(() => {
      this.cancelTrailing = undefined
      this.run()
    }, wait)
  }

  /**
   * Asks each crawler (or only `urls`) to crawl us, whatever the interval, and returns each
   * answer. Never throws: failures are answers too.
   */
  async notifyAll(urls: readonly string[] = this.opts.crawlers): Promise<CrawlerAttempt[]> {
    this.lastNotifiedAt = this.now()
    return Promise.all(urls.map((url) => this.notify(url)))
  }

  private run(): void {
    void this.notifyAll()
  }

  private async notify(url: string): Promise<CrawlerAttempt> {
    const attemptedAt = new Date(this.now()).toISOString()
    let attempt: CrawlerAttempt
    try {
      const res = await this.opts.fetch(`${url}${REQUEST_CRAWL_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hostname: this.opts.hostname }),
        redirect: 'error',
        timeoutMs: this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      })
      // The answer counts by its status; a body too big or cut off only loses the message.
      const text = (await res.text().catch(() => '')).slice(0, MAX_MESSAGE_CHARS)
      attempt = {
        url,
        attemptedAt,
        ok: res.ok,
        httpStatus: res.status,
        message: res.ok ? null : text || null,
      }
    } catch (err) {
      attempt = { url, attemptedAt, ok: false, httpStatus: null, message: (err as Error).message }
    }
    this.record(attempt)
    return attempt
  }

  private record(attempt: CrawlerAttempt): void {
    this.opts.onAttempt?.(attempt)
    if (!attempt.ok) {
      this.opts.logger.warn('requestCrawl failed', {
        crawler: attempt.url,
        status: attempt.httpStatus,
        message: attempt.message,
      })
    }
    try {
      this.opts.status.record(attempt)
    } catch (err) {
      // The database may be closing (shutdown while a request was out); the answer is logged.
      this.opts.logger.warn('could not record crawler status', { crawler: attempt.url, err })
    }
  }
}

/** A timer that does not keep the process alive. */
function unrefTimeout(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms)
  timer.unref?.()
  return () => clearTimeout(timer)
}
