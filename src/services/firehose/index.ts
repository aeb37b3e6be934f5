/**
 * The firehose (com.atproto.sync.subscribeRepos) and the retention of its event log.
 * `createFirehose` wires both from a config for a serving process.
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import { EventWindow } from '../../storage/sync/index.ts'
import type { Sequencer } from '../sequencer/index.ts'
import { DEFAULT_FIREHOSE_LIMITS, Firehose, type FirehoseOptions } from './firehose.ts'
import { EventPruner } from './retention.ts'

export { type SubscriptionStart, subscriptionStart } from './cursor.ts'
export {
  DEFAULT_FIREHOSE_LIMITS,
  type EventFeed,
  Firehose,
  type FirehoseConnection,
  type FirehoseDeps,
  type FirehoseOptions,
  FULL_INTERVAL_SUBSCRIBERS,
} from './firehose.ts'
export { EventPruner, type EventPrunerOptions } from './retention.ts'
export { CLOSE_GOING_AWAY, CLOSE_NORMAL, CLOSE_POLICY, type FirehoseSocket } from './socket.ts'

export interface FirehoseServices {
  readonly firehose: Firehose
  readonly pruner: EventPruner
}

const PRUNE_INTERVAL_MS = 10 * 60 * 1000
const PRUNE_BATCH = 1000

export function createFirehose(
  config: Config,
  deps: { db: Db; sequencer: Sequencer; logger: Logger },
  limits: Partial<FirehoseOptions> = {},
): FirehoseServices {
  const window = new EventWindow(deps.db)
  const windowMs = config.subscription_backfill_window_seconds * 1000
  const firehose = new Firehose(
    { events: deps.sequencer, window, logger: deps.logger },
    { ...DEFAULT_FIREHOSE_LIMITS, backfillWindowMs: windowMs, ...limits },
  )
  const pruner = new EventPruner(
    { window, lastSeq: () => deps.sequencer.lastSeq(), logger: deps.logger },
    { windowMs, intervalMs: Math.min(PRUNE_INTERVAL_MS, windowMs), batchSize: PRUNE_BATCH },
  )
  return { firehose, pruner }
}
