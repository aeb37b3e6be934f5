// DPoP proofs at the authorization server and on resource requests (RFC 9449): each forged,
// replayed or mismatched proof is refused, nonces rotate and stay valid a little while.
import { describe, expect, test } from 'bun:test'
import { OAuthError } from '../../../src/core/oauth/errors.ts'
import { DpopVerifier, NONCE_STEP_MS } from '../../../src/services/oauth/dpop.ts'
import { dpopProof, newKey } from '../../helpers/oauth.ts'

const URL_ = 'https://pds.test/oauth/token'

function verifier(clock: { now: number }) {
  return new DpopVerifier(() => clock.now)
}

async function problem(run: () => Promise<unknown>): Promise<OAuthError> {
  try {
    await run()
  } catch (err) {
    if (err instanceof OAuthError) return err
    throw err
  }
  throw new Error('the proof was accepted')
}

describe('DpopVerifier', () => {
  test('accepts a fresh proof and reports the key thumbprint', async () => {
    const clock = { now: Date.now() }
    const dpop = verifier(clock)
    const key = await newKey()
    const proof = await dpopProof(key, { htu: URL_, nonce: dpop.nonce() })
    expect(await dpop.verify({ proof, method: 'POST', url: URL_ })).toMatchObject({ jkt: key.jkt })
  })

  test('asks for a nonce when the proof has none, or a stale one', async () => {
    const clock = { now: Date.now() }
    const dpop = verifier(clock)
    const key = await newKey()
    const missing = await problem(async () =>
      dpop.verify({ proof: await dpopProof(key, { htu: URL_ }), method: 'POST', url: URL_ }),
    )
    expect(missing.error).toBe('use_dpop_nonce')
    expect(missing.headers['DPoP-Nonce']).toBe(dpop.nonce())
    const old = dpop.nonce()
    clock.now += 3 * NONCE_STEP_MS
    const stale = await problem(async () =>
      dpop.verify({
        proof: await dpopProof(key, { htu: URL_, nonce: old, iat: Math.floor(clock.now / 1000) }),
        method: 'POST',
        url: URL_,
      }),
    )
    expect(stale.error).toBe('use_dpop_nonce')
    expect(stale.headers['DPoP-Nonce']).not.toBe(old)
  })

  test('keeps accepting the previous nonce for a step after rotation', async () => {
    const clock = { now: Date.now() }
    const dpop = verifier(clock)
    const key = await newKey()
    const nonce = dpop.nonce()
    clock.now += NONCE_STEP_MS
    const proof = await dpopProof(key, { htu: URL_, nonce, iat: Math.floor(clock.now / 1000) })
    expect((await dpop.verify({ proof, method: 'POST', url: URL_ })).jkt).toBe(key.jkt)
  })

  test('refuses a replayed proof', async () => {
    const dpop = verifier({ now: Date.now() })
    const key = await newKey()
    const proof = await dpopProof(key, { htu: URL_, nonce: dpop.nonce() })
    await dpop.verify({ proof, method: 'POST', url: URL_ })
    const err = await problem(() => dpop.verify({ proof, method: 'POST', url: URL_ }))
    expect(err.error).toBe('invalid_dpop_proof')
    expect(err.description).toContain('replayed')
  })

  const mismatches: Array<[string, { htm?: string; htu?: string; iatOffset?: number }, string]> = [
    ['a wrong method', { htm: 'GET' }, 'htm'],
    ['a wrong URL', { htu: 'https://pds.test/oauth/par' }, 'htu'],
    ['another host', { htu: 'https://evil.test/oauth/token' }, 'htu'],
    ['a stale iat', { iatOffset: -600 }, 'too old'],
    ['an iat in the future', { iatOffset: 600 }, 'future'],
  ]
  for (const [what, change, message] of mismatches) {
    test(`refuses a proof with ${what}`, async () => {
      const clock = { now: Date.now() }
      const dpop = verifier(clock)
      const key = await newKey()
      const proof = await dpopProof(key, {
        htu: change.htu ?? URL_,
        htm: change.htm ?? 'POST',
        nonce: dpop.nonce(),
        iat: Math.floor(clock.now / 1000) + (change.iatOffset ?? 0),
      })
      const err = await problem(() => dpop.verify({ proof, method: 'POST', url: URL_ }))
      expect(err.error).toBe('invalid_dpop_proof')
      expect(err.description).toContain(message)
    })
  }

  test('refuses a proof whose signature is not made by the embedded key', async () => {
    const dpop = verifier({ now: Date.now() })
    const [signer, claimed] = [await newKey(), await newKey()]
    const proof = await dpopProof({ ...signer, jwk: claimed.jwk }, { htu: URL_, nonce: dpop.nonce() })
    const err = await problem(() => dpop.verify({ proof, method: 'POST', url: URL_ }))
    expect(err.description).toContain('signature')
  })

  test('refuses a missing proof and a malformed one', async () => {
    const dpop = verifier({ now: Date.now() })
    expect((await problem(() => dpop.verify({ proof: undefined, method: 'POST', url: URL_ }))).error).toBe(
      'invalid_dpop_proof',
    )
    expect((await problem(() => dpop.verify({ proof: 'not.a.jwt', method: 'POST', url: URL_ }))).error).toBe(
      'invalid_dpop_proof',
    )
  })

  test('binds resource proofs to the access token', async () => {
    const dpop = verifier({ now: Date.now() })
    const key = await newKey()
    const proof = await dpopProof(key, { htu: URL_, nonce: dpop.nonce(), accessToken: 'token-a' })
    const err = await problem(() => dpop.verify({ proof, method: 'POST', url: URL_, accessToken: 'token-b' }))
    expect(err.description).toContain('ath')
  })
})
