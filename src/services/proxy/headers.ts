/**
 * Which headers cross the proxy, each way. Requests carry the client's language and labeler
 * choices, the body's type and encoding, an Accept-Encoding limited to the codings this server
 * can decode itself (read-after-write has to read some answers), and our own service-auth token
 * instead of the client's credentials. Answers carry what clients read: the content headers,
 * the repo rev and labelers the AppView reports, caching headers and Retry-After. Nothing else
 * passes: not the upstream's cookies, nor a WWW-Authenticate that would make the client think
 * its session with us had failed.
 */

const REQUEST_HEADERS = ['accept-language', 'atproto-accept-labelers', 'x-bsky-topics'] as const
const REQUEST_BODY_HEADERS = ['content-type', 'content-encoding'] as const

const RESPONSE_HEADERS = [
  'content-type',
  'content-encoding',
  'content-length',
  'content-language',
  'atproto-repo-rev',
  'atproto-content-labelers',
  'retry-after',
  'cache-control',
  'etag',
  'last-modified',
  'expires',
  'vary',
] as const

/** Content codings the read-after-write path can decode (see body.ts). */
const DECODABLE_CODINGS = new Set(['gzip', 'deflate', 'br', 'identity'])

export interface UpstreamHeaderOptions {
  hasBody: boolean
  /** `Bearer <service-auth JWT>`, or undefined for a call without auth. */
  authorization: string | undefined
  userAgent: string
}

export function upstreamRequestHeaders(client: Headers, opts: UpstreamHeaderOptions): Headers {
  const headers = new Headers()
  for (const name of REQUEST_HEADERS) copy(client, headers, name)
  if (opts.hasBody) for (const name of REQUEST_BODY_HEADERS) copy(client, headers, name)
  headers.set('accept-encoding', acceptEncoding(client.get('accept-encoding')))
  headers.set('user-agent', opts.userAgent)
  if (opts.authorization !== undefined) headers.set('authorization', opts.authorization)
  return headers
}

/** The upstream answer's headers that go back to the client. */
export function clientResponseHeaders(upstream: Headers): Headers {
  const headers = new Headers()
  for (const name of RESPONSE_HEADERS) copy(upstream, headers, name)
  return headers
}

/**
 * The client's Accept-Encoding restricted to gzip, deflate, br and identity (weights kept);
 * `identity` when nothing is left, so the upstream never answers in a coding we cannot read.
 */
export function acceptEncoding(header: string | null): string {
  if (!header) return 'identity'
  const kept = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => DECODABLE_CODINGS.has(part.split(';', 1)[0]!.trim().toLowerCase()))
  return kept.length === 0 ? 'identity' : kept.join(', ')
}

function copy(from: Headers, to: Headers, name: string): void {
  const value = from.get(name)
  if (value !== null) to.set(name, value)
}
