/**
 * The scrape-time readers backed by the database: accounts by status and the event log's extent.
 * Both are index lookups or one pass over the account table, cheap at a 15-second scrape interval.
 * The event log's seqs are contiguous (the sequencer assigns last + 1 inside the write
 * transaction, and pruning removes the oldest), so its size is last - first + 1.
 */
import type { Db } from '../../storage/database.ts'
import { EventWindow } from '../../storage/sync/index.ts'
import type { Metrics } from './metrics.ts'
import type { AccountCounts } from './sources.ts'

export interface StorageSourceDeps {
  readonly db: Db
  readonly accounts: { countByStatus(): AccountCounts }
  readonly sequencer: { lastSeq(): number }
}

export function readStorageSources(metrics: Metrics, deps: StorageSourceDeps): void {
  const window = new EventWindow(deps.db)
  metrics.sources.accounts = () => deps.accounts.countByStatus()
  metrics.sources.eventLog = () => {
    const lastSeq = deps.sequencer.lastSeq()
    const first = window.firstAfter(0)?.seq
    return { lastSeq, events: first === undefined ? 0 : lastSeq - first + 1 }
  }
}
