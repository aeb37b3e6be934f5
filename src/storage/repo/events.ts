/**
 * The event log behind the firehose: `seq` (AUTOINCREMENT, so never reused even after pruning),
 * the account, the event type and the DAG-CBOR event body, which already carries its own `seq`
 * so a subscriber can send the stored bytes as they are.
 * The next seq is read from sqlite_sequence inside the writer's immediate transaction, which
 * holds the database write lock, so it is exactly the value AUTOINCREMENT would assign.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface StoredEvent {
  readonly seq: number
  readonly did: string
  readonly type: string
  readonly event: Uint8Array
  readonly sequencedAt: string
}

interface Row {
  seq: number
  did: string
  type: string
  event: Uint8Array
  sequenced_at: string
}

export class EventLog {
  private readonly selectLastSeq: Statement<{ seq: number }, []>
  private readonly insert: Statement<unknown, [number, string, string, Uint8Array, string]>
  private readonly selectAfter: Statement<Row, [number, number]>
  private readonly removeForDid: Statement<unknown, [string]>

  constructor(db: Db) {
    this.selectLastSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'repo_seq'")
    this.insert = db.prepare(
      'INSERT INTO repo_seq (seq, did, type, event, sequenced_at) VALUES (?, ?, ?, ?, ?)',
    )
    this.selectAfter = db.prepare(
      'SELECT seq, did, type, event, sequenced_at FROM repo_seq WHERE seq > ? ORDER BY seq LIMIT ?',
    )
    this.removeForDid = db.prepare('DELETE FROM repo_seq WHERE did = ?')
  }

  /** The last seq ever assigned (0 when none); inside a write transaction, the next is this + 1. */
  lastSeq(): number {
    return this.selectLastSeq.get()?.seq ?? 0
  }

  append(event: StoredEvent): void {
    this.insert.run(event.seq, event.did, event.type, event.event, event.sequencedAt)
  }

  /** Removes every event of an account (account deletion). */
  deleteForDid(did: string): void {
    this.removeForDid.run(did)
  }

  /** Committed events with a seq above `seq`, in order. */
  after(seq: number, limit: number): StoredEvent[] {
    return this.selectAfter.all(seq, limit).map((row) => ({
      seq: row.seq,
      did: row.did,
      type: row.type,
      event: row.event,
      sequencedAt: row.sequenced_at,
    }))
  }
}
