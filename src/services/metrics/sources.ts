/**
 * Metrics read at scrape time from state that other code owns: the accounts table, the event
 * log, the firehose's subscribers and the proxy's call counters, plus the build info. Each
 * reader is optional (a context without a firehose has no subscribers to count); a family whose
 * reader is unset is exposed without samples.
 */
import type { Registry } from 'prom-client'
// One by one rather than through the index: see metrics.ts.
import Counter from 'prom-client/lib/counter'
import Gauge from 'prom-client/lib/gauge'

export interface AccountCounts {
  readonly active: number
  readonly deactivated: number
  readonly takendown: number
}

export interface EventLogStats {
  /** The highest seq written (0 before the first event). */
  readonly lastSeq: number
  /** Events still in the log (older ones are pruned after the backfill window). */
  readonly events: number
}

/** One series of the proxy's counters (services/proxy/stats.ts). */
export interface ProxyCallStats {
  readonly method: string
  readonly upstream: string
  readonly status: number
  readonly count: number
  readonly totalMs: number
  readonly maxMs: number
}

export interface MetricSources {
  accounts?: () => AccountCounts
  eventLog?: () => EventLogStats
  firehoseSubscribers?: () => number
  proxyCalls?: () => readonly ProxyCallStats[]
}

export function registerScrapedMetrics(
  registry: Registry,
  prefix: string,
  sources: MetricSources,
  version: string,
): void {
  const registers = [registry]
  new Gauge({
    name: `${prefix}build_info`,
    help: 'Always 1; the labels name the running version and runtime',
    labelNames: ['version', 'runtime'],
    registers,
  }).set({ version, runtime: `bun ${Bun.version}` }, 1)
  new Gauge({
    name: `${prefix}accounts`,
    help: 'Accounts hosted here, by status (active, deactivated, takendown)',
    labelNames: ['status'],
    registers,
    collect() {
      const counts = sources.accounts?.()
      if (counts === undefined) return
      for (const status of ['active', 'deactivated', 'takendown'] as const)
        this.set({ status }, counts[status])
    },
  })
  registerEventLog(registers, prefix, sources)
  new Gauge({
    name: `${prefix}firehose_subscribers`,
    help: 'Open subscribeRepos connections',
    registers,
    collect() {
      const count = sources.firehoseSubscribers?.()
      if (count !== undefined) this.set(count)
    },
  })
  registerProxy(registers, prefix, sources)
}

function registerEventLog(registers: Registry[], prefix: string, sources: MetricSources): void {
  const stats = () => sources.eventLog?.()
  new Gauge({
    name: `${prefix}event_log_last_seq`,
    help: 'The seq of the last event written to the event log',
    registers,
    collect() {
      const log = stats()
      if (log !== undefined) this.set(log.lastSeq)
    },
  })
  new Gauge({
    name: `${prefix}event_log_events`,
    help: 'Events kept in the event log for cursor replay',
    registers,
    collect() {
      const log = stats()
      if (log !== undefined) this.set(log.events)
    },
  })
}

/** The proxy keeps count, summed and largest duration per (method, upstream, status). */
function registerProxy(registers: Registry[], prefix: string, sources: MetricSources): void {
  const labelNames = ['method', 'upstream', 'status'] as const
  const labelsOf = (s: ProxyCallStats) => ({
    method: s.method,
    upstream: s.upstream,
    status: String(s.status),
  })
  new Counter({
    name: `${prefix}proxy_requests_total`,
    help: 'Calls proxied to an upstream service, by method, upstream and status (0: unreachable)',
    labelNames,
    registers,
    collect() {
      this.reset()
      for (const s of sources.proxyCalls?.() ?? []) this.inc(labelsOf(s), s.count)
    },
  })
  new Counter({
    name: `${prefix}proxy_request_seconds_total`,
    help: 'Time spent on proxied calls, summed, by method, upstream and status',
    labelNames,
    registers,
    collect() {
      this.reset()
      for (const s of sources.proxyCalls?.() ?? []) this.inc(labelsOf(s), s.totalMs / 1000)
    },
  })
  new Gauge({
    name: `${prefix}proxy_request_max_seconds`,
    help: 'The longest proxied call since start, by method, upstream and status',
    labelNames,
    registers,
    collect() {
      this.reset()
      for (const s of sources.proxyCalls?.() ?? []) this.set(labelsOf(s), s.maxMs / 1000)
    },
  })
}
