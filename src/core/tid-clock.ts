/**
 * Timestamp identifier (TID) generation: 13 base32-sortable characters encoding a 64-bit integer
 * (top bit 0, 53 bits of microseconds since the epoch, 10 bits of clock id). Spec: tid.
 * Tricky bits: the 64-bit value exceeds a JS double's integer range, but the layout splits on a
 * character boundary (11 chars = 55 bits of timestamp, 2 chars = 10 bits of clock id), so each
 * part is encoded separately with plain numbers. The clock never repeats or goes backwards, even
 * when the wall clock does: it hands out last + 1 µs until the wall clock catches up.
 */

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz'
const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/
const TIMESTAMP_CHARS = 11
const CLOCK_ID_CHARS = 2
const MAX_CLOCK_ID = 1023

export class InvalidTidError extends Error {
  override name = 'InvalidTidError'
}

export interface TidClockOptions {
  /** 10-bit clock identifier (0-1023); random when omitted. */
  clockId?: number
  /** Current time in microseconds since the epoch; defaults to the wall clock. */
  now?: () => number
}

export class TidClock {
  readonly clockId: number
  private readonly now: () => number
  private last = 0

  constructor(opts: TidClockOptions = {}) {
    this.clockId = opts.clockId ?? randomClockId()
    if (!Number.isInteger(this.clockId) || this.clockId < 0 || this.clockId > MAX_CLOCK_ID) {
      throw new RangeError(`clock id must be an integer in 0..${MAX_CLOCK_ID}`)
    }
    this.now = opts.now ?? wallClockMicros
  }

  /**
   * The next TID: strictly greater than every TID this clock returned before and, when given,
   * than `after` (e.g. a repo's stored rev, which may come from before a clock step or restart).
   */
  next(after?: string): string {
    let micros = Math.max(Math.floor(this.now()), this.last + 1)
    if (after !== undefined) {
      const floor = tidToTimestampMicros(after)
      // Same microsecond as `after`: a larger clock id already sorts later.
      if (micros < floor || (micros === floor && this.clockId <= tidClockId(after))) micros = floor + 1
    }
    this.last = micros
    return tidFromTimestamp(micros, this.clockId)
  }
}

/** Encodes a timestamp (µs since the epoch, < 2^53) and clock id as a TID. */
export function tidFromTimestamp(micros: number, clockId: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0)
    throw new RangeError('TID timestamp must be a safe integer ≥ 0')
  if (!Number.isInteger(clockId) || clockId < 0 || clockId > MAX_CLOCK_ID) {
    throw new RangeError(`clock id must be an integer in 0..${MAX_CLOCK_ID}`)
  }
  return encodeBase32(micros, TIMESTAMP_CHARS) + encodeBase32(clockId, CLOCK_ID_CHARS)
}

/** Microseconds since the epoch encoded in a TID. */
export function tidToTimestampMicros(tid: string): number {
  assertTid(tid)
  return decodeBase32(tid.slice(0, TIMESTAMP_CHARS))
}

/** The 10-bit clock id encoded in a TID. */
export function tidClockId(tid: string): number {
  assertTid(tid)
  return decodeBase32(tid.slice(TIMESTAMP_CHARS))
}

export function isValidTid(tid: string): boolean {
  return TID_PATTERN.test(tid)
}

function assertTid(tid: string): void {
  if (!TID_PATTERN.test(tid)) throw new InvalidTidError(`invalid TID: ${tid.slice(0, 40)}`)
}

function encodeBase32(value: number, width: number): string {
  let out = ''
  let rest = value
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

function decodeBase32(s: string): number {
  let value = 0
  for (const ch of s) value = value * 32 + ALPHABET.indexOf(ch)
  return value
}

function wallClockMicros(): number {
  return Date.now() * 1000
}

function randomClockId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]! & MAX_CLOCK_ID
}
