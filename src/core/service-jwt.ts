/**
 * atproto inter-service auth tokens (compact JWS framing in compact-jws.ts).
 * Spec: xrpc "Inter-Service Authentication (JWT)"; cryptography.
 * The signature is ES256K (k256) or ES256 (p256) over sha256 of the ASCII `header.payload`, as a
 * 64-byte r||s pair in base64url. jose cannot do ES256K on Bun, so this is done here with the
 * core crypto wrapper.
 * Tricky bits: verification accepts high-S signatures (but never DER) because ES256 signers such
 * as WebCrypto do not normalize S and the reference verifier accepts them; repo data keeps the
 * strict low-S rule. Policy (expiry, audience, lxm, key lookup) lives in the services layer.
 */
import { type CompactJws, decodeCompactJws, encodeCompactJws, JwtFormatError } from './compact-jws.ts'
import { parseDidKey } from './crypto/did-key.ts'
import { InvalidKeyError, isJwtAlg, type JwtAlg, verifyMessage } from './crypto/ecdsa.ts'
import type { Keypair } from './crypto/keypair.ts'

export { JwtFormatError, MAX_JWT_LENGTH } from './compact-jws.ts'

export interface ServiceJwtHeader {
  alg: string
  typ?: string
  kid?: string
  [key: string]: unknown
}

/** The claims of a service-auth token (times in UNIX seconds). */
export interface ServiceJwtPayload {
  iss: string
  aud: string
  exp: number
  iat?: number
  lxm?: string
  jti?: string
  [key: string]: unknown
}

export interface DecodedJwt extends CompactJws {
  readonly header: ServiceJwtHeader
  readonly payload: ServiceJwtPayload
}

const SIGNATURE_LENGTH = 64

/** Signs claims with `{ typ: 'JWT', alg }` (alg from the key type); extra header fields may be added. */
export function encodeServiceJwt(
  payload: ServiceJwtPayload,
  keypair: Keypair,
  extraHeader: Readonly<Record<string, string>> = {},
): string {
  return encodeCompactJws({ ...extraHeader, typ: 'JWT', alg: keypair.jwtAlg }, payload, (input) =>
    keypair.sign(input),
  )
}

/** Splits and parses a compact JWS; checks the claim types but no claim values and no signature. */
export function decodeServiceJwt(token: string): DecodedJwt {
  const jws = decodeCompactJws(token)
  const { header, payload } = jws
  if (typeof header.alg !== 'string') throw new JwtFormatError('jwt header has no alg')
  checkPayload(payload)
  return { ...jws, header: header as ServiceJwtHeader, payload }
}
/**
 * Whether `didKey` signed the token. The header's alg must name the key's curve; a key that does
 * not parse verifies nothing.
 */
export function verifyJwtSignature(jwt: DecodedJwt, didKey: string): boolean {
  let key: { jwtAlg: JwtAlg; publicKey: Uint8Array }
  try {
    key = parseDidKey(didKey)
  } catch (err) {
    if (err instanceof InvalidKeyError) return false
    throw err
  }
  if (!isJwtAlg(jwt.header.alg) || jwt.header.alg !== key.jwtAlg) return false
  if (jwt.signature.length !== SIGNATURE_LENGTH) return false
  return verifyMessage(key.jwtAlg, key.publicKey, jwt.signingInput, jwt.signature, true)
}

function checkPayload(payload: Record<string, unknown>): asserts payload is ServiceJwtPayload {
  const { iss, aud, exp, iat, lxm, jti } = payload
  if (typeof iss !== 'string' || typeof aud !== 'string')
    throw new JwtFormatError('jwt iss and aud must be strings')
  if (!isTime(exp)) throw new JwtFormatError('jwt exp must be a number of seconds')
  if (iat !== undefined && !isTime(iat)) throw new JwtFormatError('jwt iat must be a number of seconds')
  if (lxm !== undefined && typeof lxm !== 'string') throw new JwtFormatError('jwt lxm must be a string')
  if (jti !== undefined && typeof jti !== 'string') throw new JwtFormatError('jwt jti must be a string')
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}
