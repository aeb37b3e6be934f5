/**
 * The nonce pool's worker (nonce-pool.ts): keeps the ring full of prepared K-256 nonces, sleeping
 * while it is full, until told to stop. A build entry point of its own (build.ts), because a
 * compiled binary starts workers only from those.
 */
import { prepareNonce } from '../../core/crypto/ecdsa.ts'
import { filled, ringOver, STOP, slotOffset, TAKEN, WRITTEN } from './nonce-ring.ts'

declare const self: Worker

self.onmessage = ({ data }: MessageEvent<SharedArrayBuffer>) => {
  const ring = ringOver(data)
  const { counters } = ring
  while (Atomics.load(counters, STOP) === 0) {
    const taken = Atomics.load(counters, TAKEN)
    if (filled(ring) >= ring.capacity) {
      Atomics.wait(counters, TAKEN, taken)
      continue
    }
    const written = Atomics.load(counters, WRITTEN)
    ring.slots.set(prepareNonce('ES256K'), slotOffset(ring, written))
    Atomics.store(counters, WRITTEN, (written + 1) | 0)
  }
}
