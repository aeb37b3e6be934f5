/**
 * The hub over an in-memory feed and sockets: its fan-out timing (by default every turn of the
 * event loop; with a fan-out interval, an event after a quiet spell at once and the events that
 * follow within the interval together, as one corked write per socket, the interval shrinking
 * with fewer subscribers), and where a live subscription starts when the feed is behind the log.
 */
import { describe, expect, test } from 'bun:test'
import { silentLogger } from '../../../src/lib/logger.ts'
import {
  DEFAULT_FIREHOSE_LIMITS,
  type EventFeed,
  Firehose,
  type FirehoseSocket,
  FULL_INTERVAL_SUBSCRIBERS,
} from '../../../src/services/firehose/index.ts'
import type { SequencedEvent } from '../../../src/services/sequencer/index.ts'
import type { EventWindow } from '../../../src/storage/sync/index.ts'

/** A log the test commits to, and a feed that hands its events over now or later. */
function testFeed() {
  const listeners = new Set<(event: SequencedEvent) => void>()
  let last = 0
  let handedOver = 0
  const feed: EventFeed = {
    lastSeq: () => last,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    eventsAfter: () => [],
    afterCommit: () => {},
  }
  const handOver = () => {
    for (; handedOver < last; handedOver++) {
      const seq = handedOver + 1
      const event = {
        seq,
        did: 'did:web:a.test',
        type: 'identity',
        event: new Uint8Array([0xa0]),
        sequencedAt: '',
      }
      for (const listener of listeners) listener(event)
    }
  }
  /** Commits an event; the feed hands it over at once, or (`later`) at the next `handOver()`. */
  const commit = (opts: { later?: boolean } = {}) => {
    last++
    if (!opts.later) handOver()
  }
  return { feed, commit, handOver }
}

/** A socket that records each write: a cork is one write, whatever it sends. */
function testSocket() {
  const writes: number[] = []
  let corked: number | undefined
  const socket: FirehoseSocket = {
    send: () => {
      if (corked === undefined) writes.push(1)
      else corked++
      return 1
    },
    bufferedAmount: () => 0,
    cork: (fn) => {
      corked = 0
      fn()
      writes.push(corked)
      corked = undefined
    },
    close: () => {},
    terminate: () => {},
  }
  return { socket, writes }
}

const window = { prunedThrough: () => 0, firstAfter: () => undefined, firstAtOrAfter: () => undefined }

function hub(fanOutIntervalMs: number) {
  const { feed, commit, handOver } = testFeed()
  const firehose = new Firehose(
    { events: feed, window: window as unknown as EventWindow, logger: silentLogger() },
    { ...DEFAULT_FIREHOSE_LIMITS, backfillWindowMs: 60_000, fanOutIntervalMs },
  )
  firehose.start()
  const { socket, writes } = testSocket()
  const connect = () => firehose.connect(socket, undefined)
  /** More subscribers, whose writes nobody looks at. */
  const crowd = (count: number) => {
    for (let i = 0; i < count; i++) firehose.connect(testSocket().socket, undefined)
  }
  return { firehose, commit, handOver, writes, connect, crowd }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('firehose hub', () => {
  test('without a fan-out interval, each turn of the event loop sends what it heard', async () => {
    const { firehose, commit, writes, connect } = hub(0)
    connect()
    commit()
    await turn()
    commit()
    commit()
    await turn()
    firehose.stop()
    expect(writes).toEqual([1, 2])
  })

  test('with an interval, the first event goes out at once and the next ones together', async () => {
    const { firehose, commit, writes, connect, crowd } = hub(50)
    connect()
    crowd(FULL_INTERVAL_SUBSCRIBERS - 1)
    commit()
    await turn()
    expect(writes).toEqual([1])
    commit()
    await turn()
    commit()
    await turn()
    expect(writes).toEqual([1])
    await Bun.sleep(60)
    expect(writes).toEqual([1, 2])
    // A quiet spell longer than the interval: the next event goes out at once.
    await Bun.sleep(60)
    commit()
    await turn()
    firehose.stop()
    expect(writes).toEqual([1, 2, 1])
  })

  test('with few subscribers the interval shrinks in proportion', async () => {
    // One subscriber of FULL_INTERVAL_SUBSCRIBERS: 1/50 of 5 s, 100 ms.
    const { firehose, commit, writes, connect } = hub(5000)
    connect()
    commit()
    await turn()
    commit()
    await Bun.sleep(20)
    expect(writes).toEqual([1])
    await Bun.sleep(120)
    firehose.stop()
    expect(writes).toEqual([1, 1])
  })

  test('a live subscription starts after the last committed event, handed over or not', async () => {
    const { firehose, commit, handOver, writes, connect } = hub(0)
    // Committed before the subscriber connects, but still on its way to the hub (a relay message
    // not yet read, or another process's write not yet polled).
    commit({ later: true })
    connect()
    handOver()
    await turn()
    expect(writes).toEqual([])
    commit()
    await turn()
    firehose.stop()
    expect(writes).toEqual([1])
  })
})
