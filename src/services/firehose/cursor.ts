/**
 * Where a new subscription starts (spec: event-stream "Sequence Numbers"):
 *   no cursor → live events only;
 *   cursor above the last seq → FutureCursor error;
 *   cursor 0 → everything retained, then live;
 *   cursor whose next events were pruned, or are older than the backfill window → an
 *     OutdatedCursor info, then replay from the oldest event inside the window;
 *   any other cursor → replay after it, then live.
 */
import type { EventMark } from '../../storage/sync/index.ts'

export type SubscriptionStart =
  | { readonly kind: 'live' }
  | { readonly kind: 'future' }
  | { readonly kind: 'replay'; readonly after: number; readonly outdated: boolean }

/** The reads the decision needs (the event log and its pruning mark). */
export interface CursorContext {
  /** The last seq ever assigned. */
  readonly lastSeq: number
  /** Every seq at or below this is gone. */
  readonly prunedThrough: number
  /** The oldest time still inside the backfill window (ISO). */
  readonly windowStart: string
  firstAfter(seq: number): EventMark | undefined
  firstAtOrAfter(time: string): EventMark | undefined
}

export function subscriptionStart(cursor: number | undefined, ctx: CursorContext): SubscriptionStart {
  if (cursor === undefined) return { kind: 'live' }
  if (cursor > ctx.lastSeq) return { kind: 'future' }
  if (cursor === 0) return { kind: 'replay', after: 0, outdated: false }
  const next = ctx.firstAfter(cursor)
  const outdated = cursor < ctx.prunedThrough || (next !== undefined && next.sequencedAt < ctx.windowStart)
  if (!outdated) return { kind: 'replay', after: cursor, outdated: false }
  const first = ctx.firstAtOrAfter(ctx.windowStart)
  return {
    kind: 'replay',
    after: Math.max(ctx.prunedThrough, first ? first.seq - 1 : ctx.lastSeq),
    outdated: true,
  }
}
