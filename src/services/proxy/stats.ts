/**
 * In-memory counters of proxied calls: per (method, upstream, status) the number of calls and
 * their summed and largest duration. The metrics endpoint reads `snapshot()`. Methods and
 * upstreams come from requests (any NSID, any service named in an atproto-proxy header), so the
 * number of series is capped: past the cap, new combinations are counted under `other`.
 */

export interface ProxyCallRecord {
  method: string
  /** A short name of the service: `appview`, `chat`, `report`, or `<did>#<service id>`. */
  upstream: string
  /** The status sent to the client; 0 when the upstream could not be reached at all. */
  status: number
  durationMs: number
}

export interface ProxyStatsEntry {
  method: string
  upstream: string
  status: number
  count: number
  totalMs: number
  maxMs: number
}

const OTHER = 'other'
const DEFAULT_MAX_SERIES = 2000

export class ProxyStats {
  private readonly series = new Map<string, ProxyStatsEntry>()

  constructor(private readonly maxSeries = DEFAULT_MAX_SERIES) {}

  record(call: ProxyCallRecord): void {
    let entry = this.series.get(seriesKey(call.method, call.upstream, call.status))
    if (entry === undefined) {
      const capped = this.series.size >= this.maxSeries
      const method = capped ? OTHER : call.method
      const upstream = capped ? OTHER : call.upstream
      const key = seriesKey(method, upstream, call.status)
      entry = this.series.get(key)
      if (entry === undefined) {
        entry = { method, upstream, status: call.status, count: 0, totalMs: 0, maxMs: 0 }
        this.series.set(key, entry)
      }
    }
    entry.count++
    entry.totalMs += call.durationMs
    if (call.durationMs > entry.maxMs) entry.maxMs = call.durationMs
  }

  /** A copy of every series, in the order they first appeared. */
  snapshot(): ProxyStatsEntry[] {
    return Array.from(this.series.values(), (entry) => ({ ...entry }))
  }
}

function seriesKey(method: string, upstream: string, status: number): string {
  return `${method}\u0000${upstream}\u0000${status}`
}
