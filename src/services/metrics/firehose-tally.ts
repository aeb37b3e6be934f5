/**
 * The firehose's send counters, in shared memory: the firehose thread (services/firehose/thread.ts)
 * counts into the same numbers as the main thread, so a scrape reads one place. A frame is counted
 * once per subscriber, so an atomic add is all the send path pays.
 */
const FRAMES = 0
const BYTES = 1
const THREAD_SUBSCRIBERS = 2
const SLOTS = 3

export class FirehoseTally {
  readonly buffer: SharedArrayBuffer
  readonly #counts: BigInt64Array

  /** New counters, or (on the firehose thread) the main thread's `buffer`. */
  constructor(buffer = new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer
    this.#counts = new BigInt64Array(buffer)
  }

  /** A frame handed to a subscriber's socket. */
  frameSent(bytes: number): void {
    Atomics.add(this.#counts, FRAMES, 1n)
    Atomics.add(this.#counts, BYTES, BigInt(bytes))
  }

  get frames(): number {
    return Number(Atomics.load(this.#counts, FRAMES))
  }

  get bytes(): number {
    return Number(Atomics.load(this.#counts, BYTES))
  }

  /** Open subscriptions on the firehose thread (the main thread's hub counts its own). */
  get threadSubscribers(): number {
    return Number(Atomics.load(this.#counts, THREAD_SUBSCRIBERS))
  }

  set threadSubscribers(count: number) {
    Atomics.store(this.#counts, THREAD_SUBSCRIBERS, BigInt(count))
  }
}
