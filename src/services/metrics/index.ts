/** Prometheus metrics (docs/METRICS.md): the families, their registry and the scrape-time readers. */

export { FirehoseTally } from './firehose-tally.ts'
export {
  type BlobDirection,
  type CrawlerResult,
  METRIC_PREFIX,
  Metrics,
  type MetricsOptions,
} from './metrics.ts'
export type { AccountCounts, EventLogStats, MetricSources, ProxyCallStats } from './sources.ts'
export { readStorageSources, type StorageSourceDeps } from './storage-sources.ts'
