/**
 * Retention of the event log: events older than the backfill window
 * (subscription_backfill_window_seconds) are deleted in the background, oldest first, in small
 * batches, each its own short write transaction with a turn of the event loop in between, so
 * writers never wait long behind the pruner. The pruned mark (storage/sync/event-window.ts) lets
 * the firehose recognise a cursor that points into what was pruned.
 */
import type { Logger } from '../../lib/logger.ts'
import type { EventWindow } from '../../storage/sync/index.ts'

export interface EventPrunerOptions {
  readonly windowMs: number
  /** How often to prune. */
  readonly intervalMs: number
  /** Events deleted per transaction. */
  readonly batchSize: number
}

export interface EventPrunerDeps {
  readonly window: EventWindow
  /** The last seq ever assigned (the sequencer's). */
  lastSeq(): number
  readonly logger: Logger
  readonly now?: () => number
}

export class EventPruner {
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<number> | undefined
  private stopped = false

  constructor(
    private readonly deps: EventPrunerDeps,
    private readonly opts: EventPrunerOptions,
  ) {}

  /** Prunes now and then every interval. */
  start(): void {
    if (this.timer) return
    this.stopped = false
    this.tick()
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs)
    this.timer.unref?.()
  }

  /** Stops the timer; a run in progress ends after its current batch. */
  stop(): void {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Deletes every event older than the window; returns how many went. One run at a time. */
  prune(): Promise<number> {
    this.running ??= this.pruneAll().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private tick(): void {
    this.prune().catch((err: unknown) => this.deps.logger.error('event pruning failed', { err }))
  }

  private async pruneAll(): Promise<number> {
    const { window } = this.deps
    const now = this.deps.now?.() ?? Date.now()
    const windowStart = new Date(now - this.opts.windowMs).toISOString()
    // Everything before the first event inside the window goes; with none inside, everything.
    const before = window.firstAtOrAfter(windowStart)?.seq ?? this.deps.lastSeq() + 1
    if (before - 1 <= window.prunedThrough()) return 0
    let total = 0
    for (;;) {
      const deleted = window.pruneBatch(before, this.opts.batchSize)
      total += deleted
      if (deleted < this.opts.batchSize || this.stopped) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (total > 0) this.deps.logger.info('pruned old events', { count: total, before })
    return total
  }
}
