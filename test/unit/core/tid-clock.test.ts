import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import {
  InvalidTidError,
  isValidTid,
  TidClock,
  tidClockId,
  tidFromTimestamp,
  tidToTimestampMicros,
} from '../../../src/core/tid-clock.ts'

const fixtureLines = (name: string) =>
  readFileSync(new URL(`../../fixtures/interop/syntax/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))

/** A fake clock: returns the queued readings in order, then repeats the last. */
function scriptedClock(readings: number[]): () => number {
  let i = 0
  return () => readings[Math.min(i++, readings.length - 1)] as number
}

describe('TID encoding', () => {
  test('encodes zero as 2222222222222', () => {
    expect(tidFromTimestamp(0, 0)).toBe('2222222222222')
  })

  test('decodes timestamp and clock id back out', () => {
    const micros = 1_700_000_000_123_456
    const tid = tidFromTimestamp(micros, 777)
    expect(tid).toHaveLength(13)
    expect(tidToTimestampMicros(tid)).toBe(micros)
    expect(tidClockId(tid)).toBe(777)
  })

  test('matches a 64-bit BigInt encoding of (micros << 10) | clockId', () => {
    const alphabet = '234567abcdefghijklmnopqrstuvwxyz'
    const reference = (micros: number, clockId: number) => {
      const value = (BigInt(micros) << 10n) | BigInt(clockId)
      return Array.from({ length: 13 }, (_, i) => alphabet[Number((value >> BigInt(60 - 5 * i)) & 31n)]).join(
        '',
      )
    }
    for (const [micros, clockId] of [
      [0, 0],
      [1, 1],
      [1_700_000_000_123_456, 31],
      [1_234_567_890_123_456, 512],
      [2 ** 53 - 1, 1023],
    ] as const) {
      expect(tidFromTimestamp(micros, clockId)).toBe(reference(micros, clockId))
    }
  })

  test('the largest timestamp still has the top bit clear', () => {
    expect(isValidTid(tidFromTimestamp(Number.MAX_SAFE_INTEGER, 1023))).toBe(true)
  })

  test('rejects out-of-range inputs', () => {
    expect(() => tidFromTimestamp(-1, 0)).toThrow(RangeError)
    expect(() => tidFromTimestamp(1.5, 0)).toThrow(RangeError)
    expect(() => tidFromTimestamp(0, 1024)).toThrow(RangeError)
    expect(() => new TidClock({ clockId: -1 })).toThrow(RangeError)
  })

  for (const tid of fixtureLines('tid_syntax_valid.txt')) {
    test(`accepts fixture TID ${tid}`, () => {
      expect(isValidTid(tid)).toBe(true)
      expect(tidFromTimestamp(tidToTimestampMicros(tid), tidClockId(tid))).toBe(tid)
    })
  }
  for (const tid of fixtureLines('tid_syntax_invalid.txt')) {
    test(`rejects fixture TID ${JSON.stringify(tid)}`, () => {
      expect(isValidTid(tid)).toBe(false)
      expect(() => tidToTimestampMicros(tid)).toThrow(InvalidTidError)
    })
  }
})

describe('TidClock', () => {
  test('uses the injected clock and clock id', () => {
    const clock = new TidClock({ clockId: 5, now: () => 1_000_000 })
    expect(clock.next()).toBe(tidFromTimestamp(1_000_000, 5))
  })

  test('stays strictly increasing when the wall clock repeats or steps backwards', () => {
    const clock = new TidClock({ clockId: 1, now: scriptedClock([5_000, 5_000, 4_000, 10, 5_001, 9_000]) })
    const tids = Array.from({ length: 6 }, () => clock.next())
    expect(tids.map(tidToTimestampMicros)).toEqual([5_000, 5_001, 5_002, 5_003, 5_004, 9_000])
    for (let i = 1; i < tids.length; i++) expect((tids[i] as string) > (tids[i - 1] as string)).toBe(true)
  })

  test('string order equals numeric order over many TIDs', () => {
    const clock = new TidClock()
    const tids = Array.from({ length: 5_000 }, () => clock.next())
    expect(new Set(tids).size).toBe(tids.length)
    expect([...tids].sort()).toEqual(tids)
    const micros = tids.map(tidToTimestampMicros)
    expect([...micros].sort((a, b) => a - b)).toEqual(micros)
    for (const tid of tids) expect(isValidTid(tid)).toBe(true)
  })

  test('next(after) sorts after a TID from the future', () => {
    const clock = new TidClock({ clockId: 3, now: () => 1_000 })
    const future = tidFromTimestamp(50_000, 900)
    const tid = clock.next(future)
    expect(tid > future).toBe(true)
    expect(tidToTimestampMicros(tid)).toBe(50_001)
    expect(clock.next() > tid).toBe(true)
  })

  test('next(after) in the same microsecond relies on a larger clock id', () => {
    const clock = new TidClock({ clockId: 9, now: () => 7_000 })
    expect(clock.next(tidFromTimestamp(7_000, 8))).toBe(tidFromTimestamp(7_000, 9))
    const other = new TidClock({ clockId: 9, now: () => 7_000 })
    expect(other.next(tidFromTimestamp(7_000, 10))).toBe(tidFromTimestamp(7_001, 9))
  })

  test('a default clock produces TIDs near the current time', () => {
    const before = Date.now() * 1000
    const micros = tidToTimestampMicros(new TidClock().next())
    expect(micros).toBeGreaterThanOrEqual(before)
    expect(micros).toBeLessThan(before + 60_000_000)
  })
})
