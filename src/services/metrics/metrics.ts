/**
 * The Prometheus metrics of one server (docs/METRICS.md), on a registry of its own rather than
 * prom-client's global one, so that several servers in one process (the tests) never mix their
 * counts. Code that sees something happen calls a method here (a request finished, a frame went
 * out); state that someone else owns (accounts, the event log, subscribers, proxied calls) is
 * read at scrape time through `sources` (sources.ts). No HTTP here: src/http/metrics.ts serves
 * `scrape()`.
 * The firehose counters live in `firehoseTally` (firehose-tally.ts), which the firehose thread
 * shares.
 */
// The parts, not the package index: the index also loads the Pushgateway and the cluster
// aggregator, and with them node:http, node:https, node:zlib and node:cluster, which cost a
// server ~4 ms and ~1.3 MiB at every start (bench/startup.ts). Types: prom-client-parts.d.ts.
import Counter from 'prom-client/lib/counter'
import collectDefaultMetrics from 'prom-client/lib/defaultMetrics'
import Histogram from 'prom-client/lib/histogram'
import Registry from 'prom-client/lib/registry'
import { FirehoseTally } from './firehose-tally.ts'
import { type MetricSources, registerScrapedMetrics } from './sources.ts'

export const METRIC_PREFIX = 'perlsky_'

/** Request latencies: 1 ms to 10 s. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Database transactions: 50 µs to 1 s. */
const TRANSACTION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
]

/** How often the event-loop monitor samples the loop's delay. */
const EVENT_LOOP_SAMPLE_MS = 100

/** How a requestCrawl call ended: answered 2xx, answered otherwise, or not answered at all. */
export type CrawlerResult = 'ok' | 'refused' | 'unreachable'

export type BlobDirection = 'in' | 'out'

export interface MetricsOptions {
  /** The running version (build info). */
  version: string
}

export class Metrics {
  readonly registry = new Registry()
  /** Readers of state owned elsewhere; whoever owns it sets its reader. */
  readonly sources: MetricSources = {}
  private readonly xrpcDuration: Histogram<'method' | 'status'>
  private readonly xrpcErrors: Counter<'method' | 'error'>
  private readonly unhandled: Counter<'method'>
  private readonly crawlerRequests: Counter<'crawler' | 'result'>
  private readonly blobBytes: Counter<'direction'>
  private readonly transactions: Histogram<'outcome'>
  /** Frames and bytes sent to firehose subscribers, on either thread. */
  readonly firehoseTally = new FirehoseTally()
  private processMetrics = false

  constructor(opts: MetricsOptions) {
    const registers = [this.registry]
    this.xrpcDuration = new Histogram({
      name: `${METRIC_PREFIX}xrpc_request_duration_seconds`,
      help: 'XRPC requests by method and HTTP status: time until the response started',
      labelNames: ['method', 'status'],
      buckets: REQUEST_BUCKETS,
      registers,
    })
    this.xrpcErrors = new Counter({
      name: `${METRIC_PREFIX}xrpc_errors_total`,
      help: 'XRPC error responses by method and error name',
      labelNames: ['method', 'error'],
      registers,
    })
    this.unhandled = new Counter({
      name: `${METRIC_PREFIX}unhandled_exceptions_total`,
      help: 'Exceptions that reached the error mapper unhandled (answered 500), by XRPC method',
      labelNames: ['method'],
      registers,
    })
    this.crawlerRequests = new Counter({
      name: `${METRIC_PREFIX}crawler_requests_total`,
      help: 'requestCrawl calls to the configured crawlers, by crawler and result',
      labelNames: ['crawler', 'result'],
      registers,
    })
    this.blobBytes = new Counter({
      name: `${METRIC_PREFIX}blob_bytes_total`,
      help: 'Blob bytes uploaded (in) and served by getBlob (out)',
      labelNames: ['direction'],
      registers,
    })
    this.transactions = new Histogram({
      name: `${METRIC_PREFIX}db_transaction_duration_seconds`,
      help: 'Write transactions (BEGIN IMMEDIATE to COMMIT or ROLLBACK), waiting for the lock included',
      labelNames: ['outcome'],
      buckets: TRANSACTION_BUCKETS,
      registers,
    })
    this.registerFirehoseCounters()
    registerScrapedMetrics(this.registry, METRIC_PREFIX, this.sources, opts.version)
  }

  xrpcRequest(method: string, status: number, seconds: number): void {
    this.xrpcDuration.observe({ method, status: String(status) }, seconds)
  }

  xrpcError(method: string, error: string): void {
    this.xrpcErrors.inc({ method, error })
  }

  unhandledException(method: string): void {
    this.unhandled.inc({ method })
  }

  /** A requestCrawl call's answer (crawlers.ts CrawlerAttempt): 2xx, another status, or none. */
  crawlerAttempt(attempt: { url: string; ok: boolean; httpStatus: number | null }): void {
    const result: CrawlerResult = attempt.ok ? 'ok' : attempt.httpStatus === null ? 'unreachable' : 'refused'
    this.crawlerRequests.inc({ crawler: attempt.url, result })
  }

  blobTransfer(direction: BlobDirection, bytes: number): void {
    this.blobBytes.inc({ direction }, bytes)
  }

  /** Plugs into Db.transactionObserver. */
  readonly dbTransaction = (ms: number, committed: boolean): void => {
    this.transactions.observe({ outcome: committed ? 'commit' : 'rollback' }, ms / 1000)
  }

  /**
   * prom-client's process and runtime metrics (memory, CPU, event-loop lag, GC), prefixed like
   * the rest. Only a serving process turns them on: they keep an event-loop monitor running,
   * sampling every 100 ms rather than prom-client's 10 ms, which alone cost ~0.7% CPU when idle.
   */
  startProcessMetrics(): void {
    if (this.processMetrics) return
    this.processMetrics = true
    collectDefaultMetrics({
      register: this.registry,
      prefix: METRIC_PREFIX,
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    })
  }

  /** The text exposition format (version 0.0.4). */
  scrape(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }

  private registerFirehoseCounters(): void {
    const tally = this.firehoseTally
    const frames = () => tally.frames
    const bytes = () => tally.bytes
    const registers = [this.registry]
    new Counter({
      name: `${METRIC_PREFIX}firehose_frames_total`,
      help: 'Frames sent to firehose subscribers (one per subscriber per event)',
      registers,
      collect() {
        this.reset()
        this.inc(frames())
      },
    })
    new Counter({
      name: `${METRIC_PREFIX}firehose_bytes_total`,
      help: 'Bytes of the frames sent to firehose subscribers',
      registers,
      collect() {
        this.reset()
        this.inc(bytes())
      },
    })
  }
}
