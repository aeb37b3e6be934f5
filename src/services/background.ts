/**
 * The work a serving process runs beside its requests: firehose delivery (with its poll for
 * events written by other processes), event-log pruning, crawler notices, the blob sweep, and the
 * worker that prepares signature nonces (started by the first signature). It is
 * built with the context but started only by a server, so admin commands that open a context
 * start no timers. Stopping closes every firehose subscription, which a graceful HTTP stop needs
 * (Bun waits for open WebSockets).
 */
import type { BlobSweeper } from './blobs/index.ts'
import type { CrawlerNotifier } from './crawlers/index.ts'
import type { EventPruner, Firehose } from './firehose/index.ts'
import type { Sequencer } from './sequencer/index.ts'
import type { NoncePool } from './signing/nonce-pool.ts'

export interface BackgroundWork {
  start(): void
  /** Safe to call twice, and before start. */
  stop(): void
}

export interface BackgroundParts {
  firehose: Firehose
  pruner: EventPruner
  crawlers: CrawlerNotifier
  sweeper: BlobSweeper
  sequencer: Sequencer
  nonces: NoncePool
}

export function backgroundWork(parts: BackgroundParts): BackgroundWork {
  let running = false
  return {
    start() {
      if (running) return
      running = true
      parts.firehose.start()
      parts.pruner.start()
      parts.crawlers.start((listener) => parts.sequencer.subscribe(listener))
      parts.sweeper.start()
      parts.nonces.enable()
    },
    stop() {
      if (!running) return
      running = false
      parts.nonces.stop()
      parts.sweeper.stop()
      parts.crawlers.stop()
      parts.pruner.stop()
      parts.firehose.stop()
    },
  }
}
