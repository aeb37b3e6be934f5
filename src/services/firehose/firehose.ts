/**
 * The firehose hub behind com.atproto.sync.subscribeRepos (docs/ARCHITECTURE.md, decision 3).
 * It listens to its event feed once (the sequencer; on the firehose thread, that thread's own):
 * when a write transaction commits, the feed hands over the event, the hub builds its frame once
 * (cached header + the stored body bytes) and, on the next turn of the event loop (with a fan-out
 * interval and many subscribers, no sooner than that after the last fan-out), passes the frames
 * to every live subscriber, corked into one write per socket. Deferring the fan-out takes it off
 * the writer's path (the HTTP answer goes first) and lets a burst of commits go out as one batch.
 * Events written by another process (an admin command) reach the sequencer only when something
 * asks it to look: a light poll compares the log's last seq with the last one heard and asks
 * only when they differ, so in-process writes never trigger it.
 */
import { encodeErrorFrame, encodeInfoFrame } from '../../core/firehose/frames.ts'
import type { Logger } from '../../lib/logger.ts'
import type { EventWindow } from '../../storage/sync/index.ts'
import type { SequencedEvent } from '../sequencer/index.ts'
import { subscriptionStart } from './cursor.ts'
import { CLOSE_GOING_AWAY, CLOSE_POLICY, type FirehoseSocket } from './socket.ts'
import {
  eventFrame,
  type OutgoingFrame,
  type ReplaySource,
  Subscriber,
  type SubscriberLimits,
} from './subscriber.ts'

export interface FirehoseOptions extends SubscriberLimits {
  /** How far back a cursor may reach (subscription_backfill_window_seconds), in ms. */
  readonly backfillWindowMs: number
  /** How often to look for events written by another process. */
  readonly pollIntervalMs: number
  /**
   * The least time between two fan-outs with FULL_INTERVAL_SUBSCRIBERS or more connected (less in
   * proportion with fewer): events arriving sooner wait for the next, and go out together as one
   * write per socket. A fan-out costs a write per subscriber, so this bounds the share of the
   * thread they take, while a few subscribers still get each event at once. 0: every turn of the
   * event loop.
   */
  readonly fanOutIntervalMs: number
}

/** Subscribers from which fan-outs are spaced by the whole fanOutIntervalMs. */
export const FULL_INTERVAL_SUBSCRIBERS = 50

export const DEFAULT_FIREHOSE_LIMITS: Omit<FirehoseOptions, 'backfillWindowMs'> = {
  maxBufferedBytes: 8 * 1024 * 1024,
  replayHighWater: 1024 * 1024,
  replayBatch: 500,
  pollIntervalMs: 500,
  fanOutIntervalMs: 0,
}

/** Where a hub hears of committed events and reads the log: the sequencer (tests: a fake). */
export interface EventFeed extends ReplaySource {
  /** The highest seq committed (or, for the sequencer inside a transaction, assigned). */
  lastSeq(): number
  /** Calls `listener` with every event committed from now on; returns the unsubscribe function. */
  subscribe(listener: (event: SequencedEvent) => void): () => void
  /** Asks the feed to look for events committed by another process. */
  afterCommit(): void
}

export interface FirehoseDeps {
  readonly events: EventFeed
  readonly window: EventWindow
  readonly logger: Logger
  readonly now?: () => number
}

/** A subscription as the HTTP layer holds it: forward the socket's drain and close notices. */
export interface FirehoseConnection {
  drained(): void
  closed(): void
}

export class Firehose {
  private readonly subscribers = new Set<Subscriber>()
  private pending: OutgoingFrame[] = []
  private flushScheduled = false
  private lastFlush = Number.NEGATIVE_INFINITY
  private lastHeard = 0
  private polledThrough = 0
  private unsubscribe: (() => void) | undefined
  private pollTimer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly deps: FirehoseDeps,
    private readonly opts: FirehoseOptions,
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size
  }

  start(): void {
    if (this.unsubscribe) return
    this.lastHeard = this.deps.events.lastSeq()
    this.polledThrough = this.lastHeard
    this.unsubscribe = this.deps.events.subscribe((event) => this.hear(event))
    this.pollTimer = setInterval(() => this.poll(), this.opts.pollIntervalMs)
    this.pollTimer.unref?.()
  }

  /** Stops listening and closes every subscription (server shutdown). */
  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.pollTimer) clearInterval(this.pollTimer)
    for (const subscriber of [...this.subscribers]) subscriber.shutdown()
  }

  /**
   * Starts a subscription on an open socket. A future cursor gets its error frame and the close
   * at once (undefined is returned, as after a stop); an outdated one gets the OutdatedCursor
   * info first.
   */
  connect(socket: FirehoseSocket, cursor: number | undefined): FirehoseConnection | undefined {
    if (!this.unsubscribe) {
      // Stopped (shutting down): a connection accepted now would hold up the server's stop.
      socket.close(CLOSE_GOING_AWAY, 'server shutting down')
      return undefined
    }
    const context = this.cursorContext()
    const start = subscriptionStart(cursor, context)
    if (start.kind === 'future') {
      // A client that has just connected is reading: no grace period needed before the close.
      socket.send(encodeErrorFrame('FutureCursor', 'Cursor in the future.'))
      socket.close(CLOSE_POLICY, 'FutureCursor')
      return undefined
    }
    if (start.kind === 'replay' && start.outdated) {
      socket.send(
        encodeInfoFrame('OutdatedCursor', 'Requested cursor exceeded limit. Possibly missing events'),
      )
    }
    const live = start.kind === 'live'
    const subscriber = new Subscriber(
      socket,
      this.deps.events,
      this.opts,
      (s, error) => this.ended(s, error),
      // Live: from the last committed event, even one the feed has not handed over yet (on the
      // firehose thread, or written by another process): it was committed before this.
      { live, after: live ? context.lastSeq : start.after },
    )
    this.subscribers.add(subscriber)
    if (!live) this.replay(subscriber)
    return subscriber
  }

  private ended(subscriber: Subscriber, error: string | undefined): void {
    this.subscribers.delete(subscriber)
    if (error === 'ConsumerTooSlow') this.deps.logger.warn('firehose consumer too slow, disconnected')
  }

  private replay(subscriber: Subscriber): void {
    subscriber.run().catch((err: unknown) => {
      this.deps.logger.error('firehose replay failed', { err })
      subscriber.end('InternalServerError', 'Internal Server Error')
    })
  }

  private cursorContext() {
    const { window, events } = this.deps
    const now = this.deps.now?.() ?? Date.now()
    return {
      lastSeq: events.lastSeq(),
      prunedThrough: window.prunedThrough(),
      windowStart: new Date(now - this.opts.backfillWindowMs).toISOString(),
      firstAfter: (seq: number) => window.firstAfter(seq),
      firstAtOrAfter: (time: string) => window.firstAtOrAfter(time),
    }
  }

  private hear(event: SequencedEvent): void {
    this.lastHeard = event.seq
    if (this.subscribers.size === 0) return
    this.pending.push({ seq: event.seq, frame: eventFrame(event) })
    if (this.flushScheduled) return
    this.flushScheduled = true
    const share = Math.min(1, this.subscribers.size / FULL_INTERVAL_SUBSCRIBERS)
    const wait = this.lastFlush + share * this.opts.fanOutIntervalMs - performance.now()
    if (wait > 0) setTimeout(() => this.flush(), wait)
    else setImmediate(() => this.flush())
  }

  private flush(): void {
    this.flushScheduled = false
    this.lastFlush = performance.now()
    const frames = this.pending
    this.pending = []
    for (const subscriber of this.subscribers) {
      try {
        subscriber.deliver(frames)
      } catch (err) {
        this.deps.logger.error('firehose delivery failed', { err })
        subscriber.end('InternalServerError', 'Internal Server Error')
      }
    }
  }

  private poll(): void {
    const tail = this.deps.events.lastSeq()
    if (tail <= this.polledThrough) return
    this.polledThrough = tail
    if (tail > this.lastHeard) this.deps.events.afterCommit()
  }
}
