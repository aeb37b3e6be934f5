/**
 * Event-stream frames (spec: event-stream "Streaming Wire Protocol (v0)", "Framing"): every
 * binary WebSocket message is two DRISL-CBOR objects back to back, a header and a payload.
 *   message: header `{op: 1, t: '#commit'}` + the event body (a map, no `$type`)
 *   error:   header `{op: -1}` (no `t`) + `{error, message?}`; the stream closes right after.
 * Tricky bits: event bodies come out of the event log already encoded, so a message frame is a
 * cached header followed by those bytes, with no decode or re-encode on the hot path. Decoding is
 * for consumers (tests, tools): unknown ops and types are returned, not rejected, because the
 * spec asks clients to skip them.
 */
import { decodeCbor, decodeCborFirst, encodeCbor } from '../cbor.ts'

export const OP_MESSAGE = 1
export const OP_ERROR = -1

/** The error names of com.atproto.sync.subscribeRepos (its lexicon's `errors`), plus ConsumerTooSlow. */
export type FirehoseErrorName = 'FutureCursor' | 'ConsumerTooSlow'

/** The `#info` names the lexicon knows. */
export type FirehoseInfoName = 'OutdatedCursor'

export class InvalidFrameError extends Error {
  override name = 'InvalidFrameError'
}

/** `op` 1 with a type `t`, or -1 (error); other ops are for future use and should be skipped. */
export interface FrameHeader {
  op: number
  t?: string
}

export interface DecodedFrame {
  header: FrameHeader
  body: Record<string, unknown>
}

const headerCache = new Map<string, Uint8Array>()

/** The encoded `{op: 1, t}` header for a message type such as `#commit` (cached per type). */
export function messageHeader(type: string): Uint8Array {
  let header = headerCache.get(type)
  if (header === undefined) {
    header = encodeCbor({ op: OP_MESSAGE, t: type })
    headerCache.set(type, header)
  }
  return header
}

/** A message frame: the type's header followed by an already encoded body. */
export function encodeMessageFrame(type: string, body: Uint8Array): Uint8Array {
  const header = messageHeader(type)
  const frame = new Uint8Array(header.length + body.length)
  frame.set(header, 0)
  frame.set(body, header.length)
  return frame
}

/** A message frame for a body that is not encoded yet (`#info`). */
export function encodeMessage(type: string, body: Record<string, unknown>): Uint8Array {
  return encodeMessageFrame(type, encodeCbor(body))
}

/** An error frame: `{op: -1}` + `{error, message}`. */
export function encodeErrorFrame(error: string, message?: string): Uint8Array {
  const header = encodeCbor({ op: OP_ERROR })
  const body = encodeCbor(message === undefined ? { error } : { error, message })
  const frame = new Uint8Array(header.length + body.length)
  frame.set(header, 0)
  frame.set(body, header.length)
  return frame
}

/** The `#info` frame sent before a replay that had to skip pruned events. */
export function encodeInfoFrame(name: FirehoseInfoName | string, message?: string): Uint8Array {
  return encodeMessage('#info', message === undefined ? { name } : { name, message })
}

/**
 * Splits a frame into its header and body. Throws InvalidFrameError on broken framing (not two
 * CBOR maps, a header without an integer `op`, a message header without a string `t`).
 */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  let header: unknown
  let rest: Uint8Array
  let body: unknown
  try {
    ;[header, rest] = decodeCborFirst(frame)
    body = decodeCbor(rest)
  } catch (err) {
    throw new InvalidFrameError(`invalid frame: ${(err as Error).message}`, { cause: err })
  }
  if (!isMap(header) || typeof header.op !== 'number' || !Number.isInteger(header.op)) {
    throw new InvalidFrameError('invalid frame: the header has no integer op')
  }
  if (header.op === OP_MESSAGE && typeof header.t !== 'string') {
    throw new InvalidFrameError('invalid frame: a message header has no type')
  }
  if (!isMap(body)) throw new InvalidFrameError('invalid frame: the body is not a map')
  return { header: { op: header.op, ...(typeof header.t === 'string' ? { t: header.t } : {}) }, body }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  )
}
