/**
 * The checks on a DPoP proof's header and claims that need no key (RFC 9449 §4.3; oauth.md
 * "Demonstrating Proof of Possession"). The signature, the nonce and the `jti` replay cache
 * are checked by the service that owns the keys and the memory.
 * Tricky bits: `htu` is compared without query and fragment, with the scheme and host
 * lower-cased and a default port dropped, so `https://PDS.example.com:443/x?y` equals
 * `https://pds.example.com/x`; `iat` may be a little in the future (clock skew) and not older
 * than the proof lifetime; `ath` is the base64url SHA-256 of the access token.
 */
import { sha256 } from '../cid.ts'

export interface DpopHeader {
  typ?: unknown
  alg?: unknown
  jwk?: unknown
}

export interface DpopPayload {
  jti?: unknown
  htm?: unknown
  htu?: unknown
  iat?: unknown
  nonce?: unknown
  ath?: unknown
}

export interface DpopExpectation {
  htm: string
  /** The request URL as the client addressed it (query and fragment are ignored). */
  htu: string
  nowSeconds: number
  /** The access token the proof must be bound to, on resource requests. */
  accessToken?: string
}

/** How old (seconds) a proof may be, and how far in the future its `iat` may lie. */
export const DPOP_MAX_AGE_SECONDS = 300
export const DPOP_CLOCK_SKEW_SECONDS = 10
const MAX_JTI_LENGTH = 256

export const DPOP_ALGS: readonly string[] = ['ES256']

/** Returns why the proof is unacceptable, or undefined. */
export function dpopClaimsProblem(
  header: DpopHeader,
  payload: DpopPayload,
  expect: DpopExpectation,
): string | undefined {
  if (header.typ !== 'dpop+jwt') return 'typ must be dpop+jwt'
  if (typeof header.alg !== 'string' || !DPOP_ALGS.includes(header.alg)) return 'unsupported alg'
  if (!isPublicJwk(header.jwk)) return 'jwk must be a public key'
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > MAX_JTI_LENGTH) {
    return 'jti is missing'
  }
  if (payload.htm !== expect.htm) return 'htm does not match the request method'
  if (typeof payload.htu !== 'string' || normalizeHtu(payload.htu) !== normalizeHtu(expect.htu)) {
    return 'htu does not match the request URL'
  }
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) return 'iat is missing'
  if (payload.iat > expect.nowSeconds + DPOP_CLOCK_SKEW_SECONDS) return 'iat is in the future'
  if (payload.iat < expect.nowSeconds - DPOP_MAX_AGE_SECONDS) return 'proof is too old'
  if (expect.accessToken !== undefined && payload.ath !== accessTokenHash(expect.accessToken)) {
    return 'ath does not match the access token'
  }
  if (expect.accessToken === undefined && payload.ath !== undefined) return 'unexpected ath'
  return undefined
}

/** The URL without query and fragment, scheme and host lower-cased, default port dropped. */
export function normalizeHtu(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
}

export function accessTokenHash(token: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(token))).toString('base64url')
}

function isPublicJwk(jwk: unknown): boolean {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return false
  const key = jwk as Record<string, unknown>
  return typeof key.kty === 'string' && key.d === undefined
}
