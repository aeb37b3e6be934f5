/**
 * The shared memory between the nonce pool (one consumer: the event loop) and its worker (one
 * producer): a ring of prepared nonces and three counters. `written` and `taken` only ever grow
 * (wrapping at 2^32, so every comparison is on their difference); slot i lives at i mod capacity.
 * A nonce is copied out and its slot zeroed before `taken` moves past it, so each is used once.
 */
import { PREPARED_NONCE_LENGTH } from '../../core/crypto/ecdsa.ts'

export const WRITTEN = 0
export const TAKEN = 1
export const STOP = 2
const COUNTERS_BYTES = 3 * Int32Array.BYTES_PER_ELEMENT

export interface NonceRing {
  readonly counters: Int32Array
  readonly slots: Uint8Array
  readonly capacity: number
}

/** `capacity` must be a power of two. */
export function createRingBuffer(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(COUNTERS_BYTES + capacity * PREPARED_NONCE_LENGTH)
}

export function ringOver(buffer: SharedArrayBuffer): NonceRing {
  const capacity = (buffer.byteLength - COUNTERS_BYTES) / PREPARED_NONCE_LENGTH
  return {
    counters: new Int32Array(buffer, 0, 3),
    slots: new Uint8Array(buffer, COUNTERS_BYTES),
    capacity,
  }
}

/** How many nonces are ready. */
export function filled(ring: NonceRing): number {
  return (Atomics.load(ring.counters, WRITTEN) - Atomics.load(ring.counters, TAKEN)) | 0
}

/** Byte offset of the slot of the `n`th nonce. */
export function slotOffset(ring: NonceRing, n: number): number {
  return (n & (ring.capacity - 1)) * PREPARED_NONCE_LENGTH
}
