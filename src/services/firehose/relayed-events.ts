/**
 * The event feed of the firehose thread's hub (http/firehose-thread-worker.ts): the main thread's
 * sequencer relays every event it delivers, in seq order, including those of other processes it
 * found with its poll; replay and cursor checks read the event log through this thread's own
 * database connection. Events relayed before this thread read the log are at or below a seq
 * the hub already knows, and subscribers skip them, so the hand-over needs nothing more.
 */
import type { EventLog } from '../../storage/repo/index.ts'
import type { SequencedEvent } from '../sequencer/index.ts'
import type { EventFeed } from './firehose.ts'

export class RelayedEvents implements EventFeed {
  private readonly listeners = new Set<(event: SequencedEvent) => void>()

  constructor(private readonly log: EventLog) {}

  /** An event the main thread relayed. */
  relay(event: SequencedEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  subscribe(listener: (event: SequencedEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  lastSeq(): number {
    return this.log.lastSeq()
  }

  eventsAfter(seq: number, limit: number): SequencedEvent[] {
    return this.log.after(seq, limit)
  }

  /** The main thread's poll finds other processes' events and relays them: nothing to do here. */
  afterCommit(): void {}
}
