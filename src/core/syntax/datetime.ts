/**
 * Lexicon `datetime` strings (spec: lexicon.md "datetime"): the intersection of RFC 3339, ISO 8601
 * and WHATWG, i.e. `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` with an upper-case T and Z,
 * whole seconds required, any number of fraction digits, and no "-00:00". Beyond the shape the
 * values must make sense: no month 13, no day 31 in April, no hour 25, no leap second (JavaScript
 * cannot represent one), and the instant must not normalize to before year 0 or after year 9999.
 * Strings are kept as strings: re-formatting would change the bytes of signed records.
 */
import { InvalidSyntaxError } from './errors.ts'

export type Datetime = string & { readonly __brand: 'Datetime' }

/** Bounds the input; real timestamps are about 30 characters. */
const MAX_DATETIME_LENGTH = 64

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export function isValidDatetime(s: string): s is Datetime {
  return datetimeProblem(s) === undefined
}

export function parseDatetime(s: string): Datetime {
  const problem = datetimeProblem(s)
  if (problem === undefined) return s as Datetime
  throw new InvalidSyntaxError('datetime', s, problem)
}

/** Formats a Date the preferred way (UTC, millisecond precision, trailing Z). */
export function toDatetime(date: Date): Datetime {
  const year = date.getUTCFullYear()
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new RangeError('date is outside years 0-9999')
  return date.toISOString() as Datetime
}

function datetimeProblem(s: string): string | undefined {
  if (s.length > MAX_DATETIME_LENGTH) return `longer than ${MAX_DATETIME_LENGTH} characters`
  const m = DATETIME_RE.exec(s)
  if (m === null) return 'must look like YYYY-MM-DDTHH:MM:SS[.fraction] followed by Z or +HH:MM/-HH:MM'
  const field = (i: number): number => Number(m[i])
  const [year, month, day, hour, minute, second] = [
    field(1),
    field(2),
    field(3),
    field(4),
    field(5),
    field(6),
  ]
  if (month < 1 || month > 12) return 'the month must be 01-12'
  if (day < 1 || day > daysInMonth(year, month)) return 'the day does not exist in that month'
  if (hour > 23 || minute > 59 || second > 59) return 'the time of day is out of range'
  const sign = m[7]
  if (sign === undefined) return undefined
  const offsetHours = field(8)
  const offsetMinutes = field(9)
  if (offsetHours > 23 || offsetMinutes > 59) return 'the timezone offset is out of range'
  if (sign === '-' && offsetHours === 0 && offsetMinutes === 0) return 'must not use "-00:00" as a timezone'
  // Only the first and last year can cross the 0-9999 bounds once the offset is applied.
  if (year === 0 || year === 9999) {
    const offset = (sign === '+' ? 1 : -1) * (offsetHours * 60 + offsetMinutes)
    const utc = new Date(0)
    utc.setUTCFullYear(year, month - 1, day)
    utc.setUTCHours(hour, minute - offset, second)
    const utcYear = utc.getUTCFullYear()
    if (utcYear < 0 || utcYear > 9999) return 'normalizes to a time outside years 0-9999'
  }
  return undefined
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0)
}
