/**
 * DPoP proofs (RFC 9449; oauth.md "Demonstrating Proof of Possession"): server nonces, the
 * signature over the embedded key, the claims (core/oauth/dpop-claims.ts) and the `jti` replay
 * cache.
 * - Nonces are HMACs of the current time step under a per-process secret: no storage, the same
 *   nonce for every client at one time, rotated every NONCE_STEP_MS; the previous and next
 *   steps are accepted too, so a nonce lives about three steps (spec: at most 5 minutes).
 * - A proof's `jti` is remembered for as long as the proof could be accepted (DPOP_MAX_AGE plus
 *   skew); the cache is pruned as it goes and bounded.
 * - Errors are OAuthErrors in the authorization-server form (400 invalid_dpop_proof /
 *   use_dpop_nonce with a DPoP-Nonce header); resource requests convert them (access.ts).
 */
import { createHmac, randomBytes } from 'node:crypto'
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  jwtVerify,
} from 'jose'
import {
  DPOP_ALGS,
  DPOP_CLOCK_SKEW_SECONDS,
  DPOP_MAX_AGE_SECONDS,
  type DpopHeader,
  type DpopPayload,
  dpopClaimsProblem,
} from '../../core/oauth/dpop-claims.ts'
import { OAuthError } from '../../core/oauth/errors.ts'

export const NONCE_STEP_MS = 60_000
const MAX_REMEMBERED_JTIS = 200_000
const MAX_PROOF_LENGTH = 4096

export interface DpopRequest {
  /** The DPoP header (undefined when absent). */
  proof: string | null | undefined
  method: string
  /** The public URL of the request (see http/client-info.ts). */
  url: string
  /** For resource requests: the access token the proof must be bound to. */
  accessToken?: string
}

export interface VerifiedDpop {
  /** RFC 7638 thumbprint of the proof's key. */
  jkt: string
  jwk: JWK
}

export class DpopVerifier {
  private readonly secret = randomBytes(32)
  private readonly seen = new Map<string, number>()

  constructor(private readonly now: () => number = Date.now) {}

  /** The nonce clients should use now (sent as the DPoP-Nonce header on every response). */
  nonce(): string {
    return this.nonceFor(Math.floor(this.now() / NONCE_STEP_MS))
  }

  async verify(req: DpopRequest): Promise<VerifiedDpop> {
    const proof = req.proof
    if (!proof) throw this.invalid('a DPoP proof is required')
    if (proof.length > MAX_PROOF_LENGTH || proof.includes(',')) throw this.invalid('malformed DPoP proof')
    const problem = claimsProblem(proof, req, Math.floor(this.now() / 1000))
    if (problem !== undefined) throw this.invalid(problem)
    let verified: Awaited<ReturnType<typeof jwtVerify>>
    try {
      verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGS] })
    } catch {
      throw this.invalid('the DPoP proof signature is invalid')
    }
    const payload = verified.payload as DpopPayload
    if (typeof payload.nonce !== 'string' || !this.isValidNonce(payload.nonce)) {
      throw new OAuthError('use_dpop_nonce', 'a fresh DPoP nonce is required', 400, {
        'DPoP-Nonce': this.nonce(),
      })
    }
    const jwk = verified.protectedHeader.jwk as JWK
    const jkt = await calculateJwkThumbprint(jwk, 'sha256')
    if (!this.remember(`${jkt}:${payload.jti as string}`)) throw this.invalid('the DPoP proof was replayed')
    return { jkt, jwk }
  }

  private isValidNonce(nonce: string): boolean {
    const step = Math.floor(this.now() / NONCE_STEP_MS)
    return (
      nonce === this.nonceFor(step) || nonce === this.nonceFor(step - 1) || nonce === this.nonceFor(step + 1)
    )
  }

  private nonceFor(step: number): string {
    return createHmac('sha256', this.secret).update(String(step)).digest('base64url')
  }

  /** False when the key was already seen within its lifetime. */
  private remember(key: string): boolean {
    const now = this.now()
    const expiry = this.seen.get(key)
    if (expiry !== undefined && expiry > now) return false
    if (this.seen.size >= MAX_REMEMBERED_JTIS) this.prune(now)
    this.seen.set(key, now + (DPOP_MAX_AGE_SECONDS + DPOP_CLOCK_SKEW_SECONDS) * 1000)
    return true
  }

  /** Drops expired entries; when none has expired, the oldest tenth (insertion order). */
  private prune(now: number): void {
    for (const [key, expiry] of this.seen) if (expiry <= now) this.seen.delete(key)
    if (this.seen.size < MAX_REMEMBERED_JTIS) return
    let drop = Math.ceil(MAX_REMEMBERED_JTIS / 10)
    for (const key of this.seen.keys()) {
      if (drop-- <= 0) break
      this.seen.delete(key)
    }
  }

  private invalid(description: string): OAuthError {
    return new OAuthError('invalid_dpop_proof', description, 400, { 'DPoP-Nonce': this.nonce() })
  }
}

/** The claim checks, before the (more expensive) signature check. */
function claimsProblem(proof: string, req: DpopRequest, nowSeconds: number): string | undefined {
  let header: DpopHeader
  let payload: DpopPayload
  try {
    header = decodeProtectedHeader(proof) as DpopHeader
    payload = decodeJwt(proof) as DpopPayload
  } catch {
    return 'malformed DPoP proof'
  }
  const expect = { htm: req.method, htu: req.url, nowSeconds, accessToken: req.accessToken }
  return dpopClaimsProblem(header, payload, expect)
}
