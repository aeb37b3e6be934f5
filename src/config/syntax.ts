/**
 * Syntax checks and normalizers for config values. Each predicate answers yes/no only: config
 * messages must never echo a value, because some values are secrets.
 */

const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const HEX_64 = /^[0-9a-f]{64}$/
const DID_SYNTAX = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/
const DID_KEY_SYNTAX = /^did:key:z[1-9A-HJ-NP-Za-km-z]+$/
const EMAIL_SYNTAX = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
/** The order of the secp256k1 group: a private key is a scalar in [1, n). */
const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** A DNS name: dot-separated labels of [a-z0-9-], no label starting or ending with '-'. */
export function isDomainName(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false
  return s.split('.').every((label) => DOMAIN_LABEL.test(label))
}

/** Lower-cases a domain and strips one leading dot (".pds.example.com" is a common spelling). */
export function normalizeDomain(s: string): string {
  const lower = s.trim().toLowerCase()
  return lower.startsWith('.') ? lower.slice(1) : lower
}

/** Parses an http(s) URL; undefined when it is not one. */
export function parseHttpUrl(s: string): URL | undefined {
  if (!URL.canParse(s)) return undefined
  const url = new URL(s)
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined
}

/** An http(s) URL without credentials, query or fragment. */
export function isHttpUrl(s: string): boolean {
  const url = parseHttpUrl(s)
  return url !== undefined && !url.username && !url.password && !url.search && !url.hash
}

/** An http(s) origin: scheme, host and optional port, nothing after (a trailing '/' is fine). */
export function isHttpOrigin(s: string): boolean {
  const url = parseHttpUrl(s)
  return url !== undefined && isHttpUrl(s) && url.pathname === '/'
}

/** Drops a trailing '/' so values join cleanly with paths ("https://x" + "/xrpc/..."). */
export function stripTrailingSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s
}

export function isSecp256k1PrivateKeyHex(s: string): boolean {
  if (!HEX_64.test(s)) return false
  const scalar = BigInt(`0x${s}`)
  return scalar > 0n && scalar < SECP256K1_ORDER
}

export function isDid(s: string): boolean {
  return s.length <= 2048 && DID_SYNTAX.test(s)
}

export function isDidKey(s: string): boolean {
  return DID_KEY_SYNTAX.test(s)
}

export function isEmailAddress(s: string): boolean {
  return s.length <= 254 && EMAIL_SYNTAX.test(s)
}

/** A Sentry DSN: an http(s) URL carrying the public key as its user name. */
export function isSentryDsn(s: string): boolean {
  const url = parseHttpUrl(s)
  return url !== undefined && url.username.length > 0 && url.pathname.length > 1
}

/** Replaces the public key of a Sentry DSN so the DSN can be logged. */
export function redactSentryDsn(dsn: string): string {
  const url = parseHttpUrl(dsn)
  if (url === undefined) return '[redacted]'
  return `${url.protocol}//[redacted]@${url.host}${url.pathname}`
}
