/**
 * Reads of the event log (repo_seq, written by the sequencer) that the firehose needs to place a
 * cursor, and the pruning of events older than the retention window. `event_prune` remembers the
 * highest seq pruned: every event at or below it is gone, so a cursor below it has missed events.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface EventMark {
  readonly seq: number
  readonly sequencedAt: string
}

interface MarkRow {
  seq: number
  sequenced_at: string
}

export class EventWindow {
  private readonly selectFirstAfter: Statement<MarkRow, [number]>
  private readonly selectFirstAtOrAfterTime: Statement<MarkRow, [string]>
  private readonly selectPruned: Statement<{ pruned_through: number }, []>
  private readonly selectBatchEnd: Statement<{ seq: number }, [number, number]>
  private readonly deleteThrough: Statement<unknown, [number]>
  private readonly upsertPruned: Statement<unknown, [number, string]>

  constructor(private readonly db: Db) {
    this.selectFirstAfter = db.prepare(
      'SELECT seq, sequenced_at FROM repo_seq WHERE seq > ? ORDER BY seq LIMIT 1',
    )
    this.selectFirstAtOrAfterTime = db.prepare(
      'SELECT seq, sequenced_at FROM repo_seq WHERE sequenced_at >= ? ORDER BY sequenced_at, seq LIMIT 1',
    )
    this.selectPruned = db.prepare('SELECT pruned_through FROM event_prune WHERE id = 1')
    this.selectBatchEnd = db.prepare('SELECT seq FROM repo_seq WHERE seq < ? ORDER BY seq LIMIT 1 OFFSET ?')
    this.deleteThrough = db.prepare('DELETE FROM repo_seq WHERE seq <= ?')
    this.upsertPruned = db.prepare(`
      INSERT INTO event_prune (id, pruned_through, pruned_at) VALUES (1, ?1, ?2)
      ON CONFLICT (id) DO UPDATE SET
        pruned_through = max(pruned_through, excluded.pruned_through), pruned_at = excluded.pruned_at
    `)
  }

  /** The first event after `seq`, if any. */
  firstAfter(seq: number): EventMark | undefined {
    return mark(this.selectFirstAfter.get(seq))
  }

  /** The first event sequenced at or after `time` (an ISO timestamp), if any. */
  firstAtOrAfter(time: string): EventMark | undefined {
    return mark(this.selectFirstAtOrAfterTime.get(time))
  }

  /** Every event with a seq at or below this one has been pruned (0: nothing pruned yet). */
  prunedThrough(): number {
    return this.selectPruned.get()?.pruned_through ?? 0
  }

  /**
   * Deletes the oldest events below `beforeSeq`, at most `limit` of them, in one short write
   * transaction; returns how many went. Call again until it returns less than `limit`.
   */
  pruneBatch(beforeSeq: number, limit: number): number {
    return this.db.transaction(() => {
      // The last seq of this batch, or (fewer than `limit` left) everything below `beforeSeq`.
      const end = this.selectBatchEnd.get(beforeSeq, limit - 1)?.seq ?? beforeSeq - 1
      if (end < 1) return 0
      const { changes } = this.deleteThrough.run(end)
      this.upsertPruned.run(end, new Date().toISOString())
      return changes
    })
  }
}

function mark(row: MarkRow | null): EventMark | undefined {
  return row ? { seq: row.seq, sequencedAt: row.sequenced_at } : undefined
}
