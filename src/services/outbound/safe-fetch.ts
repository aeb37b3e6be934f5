/**
 * fetch for URLs that come from the network (DID documents, handles, PDS endpoints): the guard
 * against server-side request forgery.
 *
 * - Only http(s) URLs without credentials.
 * - The host is resolved here (all addresses) and, unless `allowPrivate`, every address must be
 *   public unicast (ip-policy.ts). The request then connects to the checked address itself: the
 *   URL's host is replaced by the IP, the `Host` header and the TLS server name (SNI and
 *   certificate check) keep the original name. This closes the DNS-rebinding window between
 *   checking a name and connecting to it. If the first address refuses the connection, the next
 *   one is tried.
 * - Redirects are followed by hand, at most `maxRedirects`, for GET and HEAD only, re-checking
 *   every hop; credentials are dropped when a redirect leaves the origin.
 * - One deadline covers DNS, connecting, the headers and reading the body.
 * - The body is readable up to `maxBytes` (limited-body.ts).
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import {
  OutboundBlockedError,
  OutboundError,
  OutboundNetworkError,
  OutboundRedirectError,
  OutboundTimeoutError,
} from './errors.ts'
import { isIpLiteral, isPublicAddress } from './ip-policy.ts'
import { limitResponse } from './limited-body.ts'

/** Resolves a host name to IP addresses. */
export type LookupFn = (hostname: string) => Promise<string[]>

export interface SafeFetchOptions {
  /** Allow loopback, private and other non-public addresses (tests, development). */
  allowPrivate: boolean
  timeoutMs: number
  maxBytes: number
  userAgent: string
  /** Default 3. */
  maxRedirects?: number
  /** Injected for tests; defaults to the system resolver. */
  lookup?: LookupFn
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch
}

export interface SafeFetchInit {
  method?: string
  headers?: Bun.HeadersInit
  /** Only replayable bodies: a request may be retried on another address of the host. */
  body?: string | Uint8Array | null
  /** 'follow' (default) follows GET/HEAD redirects; 'manual' returns them; 'error' throws. */
  redirect?: 'follow' | 'manual' | 'error'
  /** The caller's own cancellation; its abort reason is rethrown as is. */
  signal?: AbortSignal
  /** Per-request overrides of the instance limits. */
  timeoutMs?: number
  maxBytes?: number
}

export type SafeFetch = (url: string | URL, init?: SafeFetchInit) => Promise<Response>

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const CONNECT_RETRY_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'])

const systemLookup: LookupFn = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address)

export function createSafeFetch(opts: SafeFetchOptions): SafeFetch {
  const ctx: Ctx = {
    allowPrivate: opts.allowPrivate,
    lookup: opts.lookup ?? systemLookup,
    fetch: opts.fetch ?? fetch,
  }
  const maxRedirects = opts.maxRedirects ?? 3
  return async (input, init = {}) => {
    const deadline = AbortSignal.timeout(init.timeoutMs ?? opts.timeoutMs)
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline
    const method = (init.method ?? 'GET').toUpperCase()
    const headers = new Headers(init.headers)
    if (!headers.has('user-agent')) headers.set('user-agent', opts.userAgent)
    const request: Attempt = { method, headers, body: init.body ?? null, signal }
    let url = checkUrl(input)
    try {
      for (let hops = 0; ; hops++) {
        const res = await fetchPinned(ctx, url, request)
        const next = redirectTarget(res, url, init.redirect ?? 'follow', method)
        if (next === undefined) return limitResponse(res, init.maxBytes ?? opts.maxBytes, deadline)
        await res.body?.cancel()
        if (next instanceof OutboundRedirectError) throw next
        if (hops >= maxRedirects) throw new OutboundRedirectError(`more than ${maxRedirects} redirects`)
        if (next.origin !== url.origin) for (const name of ['authorization', 'cookie']) headers.delete(name)
        url = checkUrl(next)
      }
    } catch (err) {
      throw translateError(err, deadline, init.signal, url)
    }
  }
}

interface Ctx {
  allowPrivate: boolean
  lookup: LookupFn
  fetch: typeof fetch
}

interface Attempt {
  method: string
  headers: Headers
  body: string | Uint8Array | null
  signal: AbortSignal
}

function checkUrl(input: string | URL): URL {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new OutboundBlockedError('not a valid URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundBlockedError(`only http(s) URLs may be fetched, not ${url.protocol}`)
  }
  if (url.username || url.password) throw new OutboundBlockedError('URLs with credentials may not be fetched')
  return url
}

/**
 * For a redirect this request follows, the next URL, or the error that refuses it; undefined when
 * `res` is the answer.
 */
function redirectTarget(
  res: Response,
  url: URL,
  mode: SafeFetchInit['redirect'],
  method: string,
): URL | OutboundRedirectError | undefined {
  const location = res.headers.get('location')
  if (!REDIRECT_STATUSES.has(res.status) || location === null || mode === 'manual') return undefined
  if (mode === 'error')
    return new OutboundRedirectError(`redirected (${res.status}) and redirects are refused`)
  if (method !== 'GET' && method !== 'HEAD') return undefined
  return URL.canParse(location, url.href)
    ? new URL(location, url)
    : new OutboundRedirectError('redirect to an invalid URL')
}

async function fetchPinned(ctx: Ctx, url: URL, req: Attempt): Promise<Response> {
  const addresses = await resolveHost(ctx, url.hostname, req.signal)
  let lastError: unknown
  for (const address of addresses) {
    try {
      return await ctx.fetch(pinnedUrl(url, address), pinnedInit(url, address, req))
    } catch (err) {
      if (req.signal.aborted || !CONNECT_RETRY_CODES.has(errorCode(err))) throw err
      lastError = err
    }
  }
  throw lastError
}

async function resolveHost(ctx: Ctx, hostname: string, signal: AbortSignal): Promise<string[]> {
  const literal = isIpLiteral(hostname)
  const addresses = literal
    ? [hostname.replace(/^\[(.*)\]$/, '$1')]
    : await abortable(ctx.lookup(hostname), signal)
  if (addresses.length === 0) throw new OutboundNetworkError(`${hostname} has no addresses`)
  if (!ctx.allowPrivate && !addresses.every(isPublicAddress)) {
    throw new OutboundBlockedError(
      literal ? `${hostname} is not a public address` : `${hostname} resolves to a non-public address`,
    )
  }
  return addresses
}

function pinnedUrl(url: URL, address: string): URL {
  const pinned = new URL(url)
  pinned.hostname = address.includes(':') ? `[${address}]` : address
  return pinned
}

function pinnedInit(url: URL, address: string, req: Attempt): BunFetchRequestInit {
  const headers = new Headers(req.headers)
  headers.set('host', url.host)
  const pinnedName = url.protocol === 'https:' && !isIpLiteral(url.hostname) && url.hostname !== address
  return {
    method: req.method,
    headers,
    body: req.body,
    signal: req.signal,
    redirect: 'manual',
    ...(pinnedName ? { tls: { serverName: url.hostname } } : {}),
  }
}

function translateError(
  err: unknown,
  deadline: AbortSignal,
  callerSignal: AbortSignal | undefined,
  url: URL,
): unknown {
  if (err instanceof OutboundError) return err
  if (callerSignal?.aborted) return callerSignal.reason
  if (deadline.aborted) return new OutboundTimeoutError(`request to ${url.host} timed out`, { cause: err })
  const code = errorCode(err)
  const detail = code || (err instanceof Error ? err.message : String(err))
  return new OutboundNetworkError(`request to ${url.host} failed: ${detail}`, { cause: err })
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

/** Settles with `promise`, or rejects when `signal` aborts first (DNS lookups take no signal). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
