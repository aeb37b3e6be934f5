/**
 * The sequencer (docs/ARCHITECTURE.md, decision 3): `sequence*InTx` append an event to the event
 * log inside the caller's write transaction; listeners hear about it only once that transaction
 * has committed.
 * How "after commit" is known without a hook in the database layer: every append schedules a
 * delivery on the microtask queue. Transactions are synchronous, so by the time a microtask runs
 * the transaction has committed or rolled back. Delivery then reads the log past the last
 * delivered seq: a rolled-back event is simply not there (and its seq may be reused by the next
 * commit), and events written by another process (an admin command) are picked up too. The
 * write path also calls `afterCommit()` directly, so its event goes out before the HTTP answer.
 */
import { encodeCbor } from '../../core/cbor.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import type { EventLog, StoredEvent } from '../../storage/repo/index.ts'
import {
  type AccountStatus,
  accountEventBody,
  type CommitEventInput,
  commitEventBody,
  type EventType,
  identityEventBody,
  type SyncEventInput,
  syncEventBody,
} from './events.ts'

export type SequencedEvent = StoredEvent

export type EventListener = (event: SequencedEvent) => void

const DELIVERY_BATCH = 500

export class SequencerOutsideTransactionError extends Error {
  override name = 'SequencerOutsideTransactionError'
}

export class Sequencer {
  private readonly listeners = new Set<EventListener>()
  private lastDelivered: number
  private deliveryScheduled = false
  private closed = false

  constructor(
    private readonly db: Db,
    private readonly log: EventLog,
    private readonly logger: Logger,
  ) {
    this.lastDelivered = log.lastSeq()
  }

  sequenceCommitInTx(did: string, input: CommitEventInput): number {
    return this.append(did, 'commit', (stamp) => commitEventBody(did, input, stamp))
  }

  sequenceSyncInTx(did: string, input: SyncEventInput): number {
    return this.append(did, 'sync', (stamp) => syncEventBody(did, input, stamp))
  }

  sequenceIdentityInTx(did: string, handle?: string): number {
    return this.append(did, 'identity', (stamp) => identityEventBody(did, handle, stamp))
  }

  sequenceAccountInTx(did: string, active: boolean, status?: AccountStatus | string): number {
    return this.append(did, 'account', (stamp) => accountEventBody(did, active, status, stamp))
  }

  /** Removes an account's events from the log (account deletion; inside its transaction). */
  deleteEventsInTx(did: string): void {
    this.log.deleteForDid(did)
  }

  /** Calls `listener` with every event committed from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The highest seq assigned so far (committed or, inside a transaction, pending). */
  lastSeq(): number {
    return this.log.lastSeq()
  }

  /** Committed events after `seq` (a cursor), oldest first. */
  eventsAfter(seq: number, limit: number): SequencedEvent[] {
    return this.log.after(seq, limit)
  }

  /** Stops delivering (before the database closes); listeners hear nothing more. */
  close(): void {
    this.closed = true
    this.listeners.clear()
  }

  /** Hands committed events not yet delivered to the listeners. Safe to call at any time. */
  afterCommit(): void {
    if (this.closed) return
    // Inside a transaction this connection would read uncommitted events: wait for the end.
    if (this.db.raw.inTransaction) {
      this.scheduleDelivery()
      return
    }
    if (this.listeners.size === 0) {
      // Nobody to hand the events to: skip reading them back.
      this.lastDelivered = this.log.lastSeq()
      return
    }
    for (;;) {
      const batch = this.log.after(this.lastDelivered, DELIVERY_BATCH)
      for (const event of batch) {
        this.lastDelivered = event.seq
        this.notify(event)
      }
      if (batch.length < DELIVERY_BATCH) return
    }
  }

  private append(
    did: string,
    type: EventType,
    body: (stamp: { seq: number; time: string }) => unknown,
  ): number {
    if (!this.db.raw.inTransaction) {
      throw new SequencerOutsideTransactionError(`sequencing a ${type} event needs an open transaction`)
    }
    const seq = this.log.lastSeq() + 1
    const time = new Date().toISOString()
    this.log.append({ seq, did, type, event: encodeCbor(body({ seq, time })), sequencedAt: time })
    this.scheduleDelivery()
    return seq
  }

  private scheduleDelivery(): void {
    if (this.deliveryScheduled) return
    this.deliveryScheduled = true
    queueMicrotask(() => {
      this.deliveryScheduled = false
      this.afterCommit()
    })
  }

  private notify(event: SequencedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (err) {
        this.logger.error('event listener failed', { seq: event.seq, err })
      }
    }
  }
}
