/**
 * One subscribeRepos connection. It starts either live or replaying from a cursor:
 *
 *   replay: read a batch of events after the last one sent from the event log, send it, repeat
 *     while the socket has room (waiting for it to drain otherwise). When a read returns less
 *     than a full batch, everything committed so far has been sent, and in that same synchronous
 *     turn the subscriber goes live. Events committed while it replayed are in the log, so the
 *     log itself is the hand-over buffer: nothing is missed, and nothing extra is held in memory.
 *   live: the hub hands over each committed event's frame; anything at or below the last seq
 *     sent (already replayed) is skipped, so the hand-over has no duplicate either. Frames go
 *     straight to the socket; when its queue passes `maxBufferedBytes` the consumer is too slow:
 *     it gets a ConsumerTooSlow error frame and is closed, without slowing anyone else.
 */
import { encodeErrorFrame, encodeMessageFrame } from '../../core/firehose/frames.ts'
import type { SequencedEvent } from '../sequencer/index.ts'
import { CLOSE_GOING_AWAY, CLOSE_POLICY, type FirehoseSocket } from './socket.ts'

export interface SubscriberLimits {
  /** Queued bytes beyond which a live subscriber is cut off. */
  readonly maxBufferedBytes: number
  /** Replay sends the next batch only while fewer bytes than this are queued. */
  readonly replayHighWater: number
  /** Events read from the log per replay step. */
  readonly replayBatch: number
}

/** The event log, as replay reads it. */
export interface ReplaySource {
  eventsAfter(seq: number, limit: number): SequencedEvent[]
}

/** A committed event ready to send: its seq and its whole frame. */
export interface OutgoingFrame {
  readonly seq: number
  readonly frame: Uint8Array
}

/** After a clean close, how long a peer that stopped reading may keep the connection. */
const CLOSE_GRACE_MS = 5000
/** Replay re-checks the socket's queue this often when no drain notice comes. */
const DRAIN_POLL_MS = 50

/** The frame of a stored event: the cached header for its type, then the stored body as is. */
export function eventFrame(event: SequencedEvent): Uint8Array {
  return encodeMessageFrame(`#${event.type}`, event.event)
}

export class Subscriber {
  private state: 'replay' | 'live' | 'closed'
  private lastSeq: number
  private wake: (() => void) | undefined
  private graceTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly socket: FirehoseSocket,
    private readonly source: ReplaySource,
    private readonly limits: SubscriberLimits,
    /** Called once when the subscription ends; `error` names the error frame it was sent, if any. */
    private readonly onEnd: (subscriber: Subscriber, error?: string) => void,
    start: { live: boolean; after: number },
  ) {
    this.lastSeq = start.after
    this.state = start.live ? 'live' : 'replay'
  }

  /** Runs the replay (if the subscription started from a cursor) until it hands over to live. */
  async run(): Promise<void> {
    while (this.state === 'replay') {
      if (this.socket.bufferedAmount() > this.limits.replayHighWater) {
        await this.drainOrTimeout()
        continue
      }
      const batch = this.source.eventsAfter(this.lastSeq, this.limits.replayBatch)
      this.socket.cork(() => {
        for (const event of batch) this.send(event.seq, eventFrame(event))
      })
      if (batch.length < this.limits.replayBatch) {
        if (this.state === 'replay') this.state = 'live'
        return
      }
      // Let writers and the other subscribers run between batches.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** Live frames from the hub, in seq order. */
  deliver(frames: readonly OutgoingFrame[]): void {
    if (this.state !== 'live') return
    // One frame (the usual case) needs no cork: a send is one write either way.
    const fits = frames.length === 1 ? this.push(frames[0]!) : this.pushCorked(frames)
    if (!fits) this.end('ConsumerTooSlow', 'Stream consumer too slow')
  }

  private pushCorked(frames: readonly OutgoingFrame[]): boolean {
    let fits = true
    this.socket.cork(() => {
      fits = frames.every((frame) => this.push(frame))
    })
    return fits
  }

  /** Sends one live frame; false when the socket's queue is over the limit (or it dropped the frame). */
  private push({ seq, frame }: OutgoingFrame): boolean {
    if (seq <= this.lastSeq) return true
    const sent = this.send(seq, frame)
    // Only a frame queued behind others (-1) can have pushed the queue past the limit.
    return sent > 0 || (sent === -1 && this.socket.bufferedAmount() <= this.limits.maxBufferedBytes)
  }

  /** The socket can take more (Bun's drain notice). */
  drained(): void {
    this.wake?.()
  }

  /** The connection is gone, whoever closed it. */
  closed(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer)
    this.finish()
  }

  /** Server shutdown: a clean close without an error frame. */
  shutdown(): void {
    if (this.state === 'closed') return
    this.finish()
    this.closeWithGrace(CLOSE_GOING_AWAY, 'server shutting down')
  }

  /** Sends an error frame and closes (spec: a stream closes right after an error frame). */
  end(error: string, message: string): void {
    if (this.state === 'closed') return
    this.finish(error)
    this.socket.send(encodeErrorFrame(error, message))
    this.closeWithGrace(CLOSE_POLICY, error)
  }

  private send(seq: number, frame: Uint8Array): number {
    this.lastSeq = seq
    return this.socket.send(frame)
  }

  private finish(error?: string): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.wake?.()
    this.onEnd(this, error)
  }

  /** A peer that stopped reading never takes the close frame: drop it after a grace period. */
  private closeWithGrace(code: number, reason: string): void {
    this.socket.close(code, reason)
    this.graceTimer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS)
    this.graceTimer.unref?.()
  }

  private drainOrTimeout(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wake = undefined
        resolve()
      }
      const timer = setTimeout(done, DRAIN_POLL_MS)
      this.wake = done
    })
  }
}
