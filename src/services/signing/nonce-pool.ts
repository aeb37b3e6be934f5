/**
 * Prepared K-256 nonces for account-key signatures (commits, imports, service-auth tokens), so
 * the event loop only does the cheap half of each ECDSA signature (core/crypto/ecdsa.ts
 * prepareNonce). A worker thread computes them ahead into a ring in shared memory.
 *
 * The worker starts on the first signature after `enable()` (a server enables it; one-shot admin
 * commands never do, and start-up stays as light as before). When the ring is empty — before the
 * worker's first nonce, or during a burst faster than it — `take()` answers undefined and the
 * signature is computed whole, deterministically (RFC 6979).
 */
import { PREPARED_NONCE_LENGTH } from '../../core/crypto/ecdsa.ts'
import type { NonceSource } from '../../core/crypto/keypair.ts'
import type { Logger } from '../../lib/logger.ts'
import { workerEntryUrl } from '../../lib/worker-url.ts'
import {
  createRingBuffer,
  filled,
  type NonceRing,
  ringOver,
  STOP,
  slotOffset,
  TAKEN,
  WRITTEN,
} from './nonce-ring.ts'

/** 16 KiB of nonces: a quarter-second of writes at 1,000/s, refilled in parallel. */
const CAPACITY = 256

const WORKER_URL = workerEntryUrl('services/signing/nonce-worker.ts')

export class NoncePool implements NonceSource {
  #enabled = false
  #worker: Worker | undefined
  #ring: NonceRing | undefined

  constructor(private readonly logger: Logger) {}

  /** Lets the next `take()` start the worker. */
  enable(): void {
    this.#enabled = true
  }

  /** A nonce for one signature, or undefined when none is ready. */
  take(): Uint8Array | undefined {
    const ring = this.#ring
    if (ring === undefined) {
      if (this.#enabled) this.start()
      return undefined
    }
    const taken = Atomics.load(ring.counters, TAKEN)
    if (Atomics.load(ring.counters, WRITTEN) === taken) return undefined
    const at = slotOffset(ring, taken)
    const nonce = ring.slots.slice(at, at + PREPARED_NONCE_LENGTH)
    ring.slots.fill(0, at, at + PREPARED_NONCE_LENGTH)
    Atomics.store(ring.counters, TAKEN, (taken + 1) | 0)
    // Waking the worker costs a futex call and a thread switch: only when the ring is half empty,
    // so it refills in one run instead of once per signature.
    if (filled(ring) === ring.capacity / 2) Atomics.notify(ring.counters, TAKEN)
    return nonce
  }

  /** Stops the worker and forgets its nonces; `take()` then starts a new one only after `enable()`. */
  stop(): void {
    this.#enabled = false
    const ring = this.#ring
    if (ring === undefined) return
    Atomics.store(ring.counters, STOP, 1)
    Atomics.notify(ring.counters, TAKEN)
    this.#worker?.terminate()
    ring.slots.fill(0)
    this.#worker = undefined
    this.#ring = undefined
  }

  private start(): void {
    const buffer = createRingBuffer(CAPACITY)
    this.#ring = ringOver(buffer)
    this.#worker = new Worker(WORKER_URL, { smol: true })
    this.#worker.onerror = (event) => {
      this.logger.error('the nonce worker failed; signing without prepared nonces', { error: event.message })
      this.stop()
    }
    // Never what keeps a process alive; without it signatures are only slower.
    this.#worker.unref()
    this.#worker.postMessage(buffer)
  }
}
