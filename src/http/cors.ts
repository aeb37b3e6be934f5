/**
 * CORS for browser clients (bsky.app and friends) on /xrpc/* and /.well-known/*. Any origin may
 * call: requests carry bearer or DPoP tokens, never cookies, so `*` is safe and credentials are
 * never allowed.
 */

const CORS_PREFIXES = ['/xrpc/', '/.well-known/'] as const

const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS'
const BASE_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'DPoP',
  'Atproto-Accept-Labelers',
  'Atproto-Proxy',
]
const EXPOSED_HEADERS = [
  'WWW-Authenticate',
  'DPoP-Nonce',
  'atproto-repo-rev',
  'atproto-content-labelers',
  'Atproto-Upstream-Lag',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
].join(', ')
const MAX_AGE_SECONDS = '86400'
/** An HTTP header name (RFC 9110 token); anything else in Access-Control-Request-Headers is dropped. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export function isCorsPath(pathname: string): boolean {
  return CORS_PREFIXES.some((prefix) => pathname.startsWith(prefix))
}

/** Headers every response on a CORS path carries. */
export function applyCorsHeaders(headers: Headers): void {
  headers.set('Access-Control-Allow-Origin', '*')
  headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS)
}

/** The 204 answer to an OPTIONS preflight. */
export function preflightResponse(request: Request): Response {
  const headers = new Headers({
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': allowedHeaders(request.headers.get('access-control-request-headers')),
    'Access-Control-Max-Age': MAX_AGE_SECONDS,
    // The allowed headers echo the request, so caches must key on it.
    Vary: 'Access-Control-Request-Headers',
  })
  applyCorsHeaders(headers)
  return new Response(null, { status: 204, headers })
}

/** The base list plus whatever the browser asked for, without case-insensitive duplicates. */
function allowedHeaders(requested: string | null): string {
  const names = [...BASE_ALLOWED_HEADERS]
  const seen = new Set(names.map((name) => name.toLowerCase()))
  for (const raw of requested?.split(',') ?? []) {
    const name = raw.trim()
    if (!HEADER_NAME.test(name) || seen.has(name.toLowerCase())) continue
    seen.add(name.toLowerCase())
    names.push(name)
  }
  return names.join(', ')
}
