/**
 * The sequencer (docs/ARCHITECTURE.md, decision 3): `sequence*InTx` append an event to the event
 * log inside the caller's write transaction; listeners hear about it only once that transaction
 * has committed.
 * How "after commit" is known: each append registers a commit callback with the database
 * (`Db.onCommit`), so an event reaches `committed`, in memory, only if its transaction commits
 * (a rolled-back seq may be reused by the next commit). Delivery hands those events over without
 * reading them back, as long as they directly follow the last delivered seq; otherwise (an event
 * another process wrote in between, or an append in a transaction `Db.transaction` did not open)
 * it reads the log past the last delivered seq. The firehose's poll calls `afterCommit()` to pick
 * up events of other processes (an admin command). The write path also calls `afterCommit()`
 * directly, so its event goes out before the HTTP answer; appends schedule a delivery on the
 * microtask queue for the other callers (transactions are synchronous, so by the time a
 * microtask runs the transaction has committed or rolled back).
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
  /** Events this process committed and has not delivered yet, in seq order. */
  private committed: SequencedEvent[] = []
  /** An event was appended outside a `Db.transaction`: only the log knows if it committed. */
  private logAhead = false
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
    this.committed = []
  }

  /**
   * An event another thread committed (the firehose thread is told of each one by the main
   * thread): delivered as it is when it follows the last one delivered, else the log is read.
   */
  committedElsewhere(event: SequencedEvent): void {
    this.committed.push(event)
    this.afterCommit()
  }

  /** Hands committed events not yet delivered to the listeners. Safe to call at any time. */
  afterCommit(): void {
    if (this.closed) return
    // Inside a transaction this connection would read uncommitted events: wait for the end.
    if (this.db.raw.inTransaction) {
      this.scheduleDelivery()
      return
    }
    if (this.deliverCommitted()) return
    this.committed = []
    this.logAhead = false
    if (this.listeners.size === 0) {
      // Nobody to hand the events to: skip reading them back.
      this.lastDelivered = this.log.lastSeq()
      return
    }
    for (;;) {
      const batch = this.log.after(this.lastDelivered, DELIVERY_BATCH)
      for (const event of batch) this.deliver(event)
      if (batch.length < DELIVERY_BATCH) return
    }
  }

  /** Delivers `committed` when it continues the delivered seqs without a gap; false otherwise. */
  private deliverCommitted(): boolean {
    const events = this.committed
    if (this.logAhead || events.length === 0) return false
    if (events.some((event, i) => event.seq !== this.lastDelivered + 1 + i)) return false
    this.committed = []
    for (const event of events) this.deliver(event)
    return true
  }

  private deliver(event: SequencedEvent): void {
    this.lastDelivered = event.seq
    this.notify(event)
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
    const event = { seq, did, type, event: encodeCbor(body({ seq, time })), sequencedAt: time }
    this.log.append(event)
    if (!this.db.onCommit(() => this.committed.push(event))) this.logAhead = true
    this.scheduleDelivery()
    return seq
  }

  private scheduleDelivery(): void {
    if (this.deliveryScheduled) return
    this.deliveryScheduled = true
    queueMicrotask(() => {
      this.deliveryScheduled = false
      // Nothing committed here since the last delivery (or it rolled back): no need to look.
      if (this.committed.length > 0 || this.logAhead) this.afterCommit()
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
