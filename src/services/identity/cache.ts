/**
 * A memory cache in front of a slow lookup (DID documents, handles), with two lifetimes: an entry
 * younger than `staleTtlMs` is served as is; one between the two is served at once and refreshed
 * in the background; one older than `maxTtlMs` is looked up again before answering. Concurrent
 * lookups of one key share a single request. A lookup that finds nothing (null) removes the entry
 * and is not cached, so a newly created identity is seen as soon as it exists.
 * The cache holds at most `maxEntries`; the least recently stored entry goes first.
 */
import type { Logger } from '../../lib/logger.ts'

export interface CacheOptions {
  staleTtlMs: number
  maxTtlMs: number
  maxEntries: number
  /** Milliseconds; injected for tests. */
  now: () => number
  logger: Logger
}

interface Entry<V> {
  value: V
  storedAt: number
}

export class CachedLookup<V> {
  private readonly entries = new Map<string, Entry<V>>()
  private readonly inFlight = new Map<string, Promise<V | null>>()
  private readonly background = new Set<Promise<unknown>>()

  constructor(
    private readonly lookup: (key: string) => Promise<V | null>,
    private readonly opts: CacheOptions,
  ) {}

  /** The cached value when usable, else a fresh lookup (always fresh with `forceRefresh`). */
  async get(key: string, forceRefresh = false): Promise<V | null> {
    const entry = forceRefresh ? undefined : this.entries.get(key)
    if (entry !== undefined) {
      const age = this.opts.now() - entry.storedAt
      if (age <= this.opts.staleTtlMs) return entry.value
      if (age <= this.opts.maxTtlMs) {
        this.refreshInBackground(key)
        return entry.value
      }
    }
    return this.load(key)
  }

  /** Forgets a key (after this server changed the identity itself). */
  invalidate(key: string): void {
    this.entries.delete(key)
  }

  /** Resolves once the background refreshes under way have finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background])
  }

  private load(key: string): Promise<V | null> {
    const pending = this.inFlight.get(key)
    if (pending !== undefined) return pending
    const promise = this.lookup(key)
      .then((value) => {
        if (value === null) this.entries.delete(key)
        else this.store(key, value)
        return value
      })
      .finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, promise)
    return promise
  }

  private store(key: string, value: V): void {
    this.entries.delete(key) // re-inserting moves the key to the young end of the Map's order
    this.entries.set(key, { value, storedAt: this.opts.now() })
    if (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
  }

  private refreshInBackground(key: string): void {
    if (this.inFlight.has(key)) return
    const refresh = this.load(key).catch((err: unknown) => {
      // The stale value keeps being served until it expires; the failure is only worth a log line.
      this.opts.logger.warn('background identity refresh failed', { key, error: errorMessage(err) })
    })
    this.background.add(refresh)
    refresh.finally(() => this.background.delete(refresh))
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
