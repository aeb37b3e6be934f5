/**
 * Compact JWS (RFC 7515 §7.1): `base64url(header).base64url(payload).base64url(signature)` with
 * JSON header and payload. Only the framing lives here; which algorithm signs, and which claims a
 * token must carry, belong to its user (service-jwt.ts, the session tokens).
 * Tricky bits: the signature covers the ASCII of the first two segments exactly as sent, so
 * decoding keeps them; hostile input is bounded by length before any parsing.
 */

export class JwtFormatError extends Error {
  override name = 'JwtFormatError'
}

export interface CompactJws {
  readonly header: Record<string, unknown>
  readonly payload: Record<string, unknown>
  /** The signed bytes: ASCII `header.payload`. */
  readonly signingInput: Uint8Array
  readonly signature: Uint8Array
}

/** Far above any real token; bounds the work done on hostile input before any check. */
export const MAX_JWT_LENGTH = 8192

const SEGMENT = /^[A-Za-z0-9_-]+$/
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Serializes and signs; `sign` receives the signing input and returns the raw signature. */
export function encodeCompactJws(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  sign: (signingInput: Uint8Array) => Uint8Array,
): string {
  const signingInput = `${jsonToBase64Url(header)}.${jsonToBase64Url(payload)}`
  const signature = sign(encoder.encode(signingInput))
  return `${signingInput}.${signature.toBase64({ alphabet: 'base64url', omitPadding: true })}`
}

/** Splits and parses a token; checks nothing but the framing (no signature, no claims). */
export function decodeCompactJws(token: string): CompactJws {
  if (token.length > MAX_JWT_LENGTH) throw new JwtFormatError('jwt too long')
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) {
    throw new JwtFormatError('poorly formatted jwt')
  }
  const [headerB64, payloadB64, sigB64] = parts as [string, string, string]
  return {
    header: decodeJson(headerB64),
    payload: decodeJson(payloadB64),
    signingInput: encoder.encode(`${headerB64}.${payloadB64}`),
    signature: base64UrlBytes(sigB64),
  }
}

function decodeJson(segment: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(base64UrlBytes(segment)))
  } catch {
    throw new JwtFormatError('poorly formatted jwt')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtFormatError('poorly formatted jwt')
  }
  return value as Record<string, unknown>
}

function base64UrlBytes(segment: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(segment, { alphabet: 'base64url' })
  } catch {
    throw new JwtFormatError('poorly formatted jwt')
  }
}

function jsonToBase64Url(value: unknown): string {
  return encoder.encode(JSON.stringify(value)).toBase64({ alphabet: 'base64url', omitPadding: true })
}
