import { afterEach, describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import { verifySignature } from '../../../src/core/crypto/verify.ts'
import { silentLogger } from '../../../src/lib/logger.ts'
import { NoncePool } from '../../../src/services/signing/nonce-pool.ts'

const pools: NoncePool[] = []
afterEach(() => {
  for (const pool of pools.splice(0)) pool.stop()
})

function newPool(): NoncePool {
  const pool = new NoncePool(silentLogger())
  pools.push(pool)
  return pool
}

/** Takes until the worker has produced a nonce (bounded: the worker needs a few milliseconds). */
async function firstNonce(pool: NoncePool): Promise<Uint8Array> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const nonce = pool.take()
    if (nonce) return nonce
    await Bun.sleep(10)
  }
  throw new Error('no nonce from the worker')
}

describe('nonce pool', () => {
  test('hands out nothing, and starts no worker, until enabled', () => {
    const pool = newPool()
    expect(pool.take()).toBeUndefined()
    expect(pool.take()).toBeUndefined()
  })

  test('once enabled, its worker fills it with distinct 64-byte nonces', async () => {
    const pool = newPool()
    pool.enable()
    const seen = new Set<string>([(await firstNonce(pool)).toHex()])
    for (let i = 0; i < 20; i++) seen.add((await firstNonce(pool)).toHex())
    expect(seen.size).toBe(21)
    for (const hex of seen) expect(hex).toHaveLength(128)
  })

  test('a keypair signing from the pool makes valid signatures that differ for the same message', async () => {
    const pool = newPool()
    pool.enable()
    // Two nonces from the pool, waited for: a busy machine's worker may not have made them yet,
    // and a signature without one is deterministic (the same for the same message).
    const nonces = [await firstNonce(pool), await firstNonce(pool)]
    const key = Secp256k1Keypair.import(Secp256k1Keypair.create().exportPrivateKey(), {
      take: () => nonces.shift(),
    })
    const msg = new TextEncoder().encode('a commit')
    const [a, b] = [key.sign(msg), key.sign(msg)]
    expect(verifySignature(key.did(), msg, a)).toBe(true)
    expect(verifySignature(key.did(), msg, b)).toBe(true)
    expect(a).not.toEqual(b)
    expect(nonces).toEqual([])
  })

  test('after stop it hands out nothing until enabled again', async () => {
    const pool = newPool()
    pool.enable()
    await firstNonce(pool)
    pool.stop()
    expect(pool.take()).toBeUndefined()
    expect(pool.take()).toBeUndefined()
    pool.enable()
    expect((await firstNonce(pool)).length).toBe(64)
  })
})
