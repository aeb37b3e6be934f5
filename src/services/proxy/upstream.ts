/**
 * The HTTP call to the upstream service. Two paths:
 * - trusted targets (the operator's AppView, chat and report services, possibly on loopback) get
 *   a plain fetch that streams the request body and hands back the response bytes exactly as
 *   sent, compressed or not (`decompress: false`), so JSON passes through without being decoded
 *   and re-encoded;
 * - targets found through a client's atproto-proxy header go through the SSRF-guarded fetch
 *   (outbound/), which pins the checked address and needs a replayable body, so the request
 *   body is read first (within the same limit).
 * Both: one deadline for the whole exchange, redirects returned rather than followed, a GET or
 * HEAD retried once when the connection itself failed. Failures become 502 UpstreamFailure,
 * a deadline 504 UpstreamTimeout; the client going away is rethrown as it is.
 */

import { InvalidRequestError, PayloadTooLargeError, UpstreamFailureError, XrpcError } from '../errors.ts'
import {
  OutboundBlockedError,
  OutboundError,
  OutboundTimeoutError,
  type SafeFetch,
} from '../outbound/index.ts'
import type { ProxyTarget } from './target.ts'

export interface UpstreamRequest {
  target: ProxyTarget
  /** `/xrpc/<nsid>` plus the query string, as the client sent it. */
  path: string
  method: string
  headers: Headers
  /** The raw request body (still content-encoded, if it was); null without one. */
  body: ReadableStream<Uint8Array> | Uint8Array | null
  /** The client's request: aborted when it goes away. */
  signal?: AbortSignal | undefined
}

export interface UpstreamOptions {
  timeoutMs: number
  /** Request bodies larger than this are refused with 413. */
  bodyLimit: number
  /** The SSRF-guarded fetch for targets named by clients. */
  guardedFetch: SafeFetch
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch
}

export class UpstreamTimeoutError extends XrpcError {
  override name = 'UpstreamTimeoutError'
  constructor(message = 'Upstream service timed out') {
    super(504, 'UpstreamTimeout', message)
  }
}

const UNREACHABLE = 'Upstream service unreachable'
const RETRIED_METHODS = new Set(['GET', 'HEAD'])

export class UpstreamClient {
  private readonly fetch: typeof fetch

  constructor(private readonly opts: UpstreamOptions) {
    this.fetch = opts.fetch ?? fetch
  }

  /** The upstream's answer, whatever its status; throws XrpcErrors when there is none. */
  async send(req: UpstreamRequest): Promise<Response> {
    const url = new URL(req.path, req.target.url)
    const attempt = req.target.trusted
      ? () => this.sendTrusted(url, req)
      : await this.guardedAttempt(url, req)
    try {
      return await attempt()
    } catch (err) {
      if (!RETRIED_METHODS.has(req.method) || !isConnectionFailure(err, req.signal)) {
        throw upstreamError(err, req.signal)
      }
      return attempt().catch((retryErr: unknown) => {
        throw upstreamError(retryErr, req.signal)
      })
    }
  }

  private sendTrusted(url: URL, req: UpstreamRequest): Promise<Response> {
    const deadline = AbortSignal.timeout(this.opts.timeoutMs)
    const init: BunFetchRequestInit & { decompress: boolean } = {
      method: req.method,
      headers: req.headers,
      body: req.body instanceof ReadableStream ? limitStream(req.body, this.opts.bodyLimit) : req.body,
      redirect: 'manual',
      decompress: false,
      signal: req.signal ? AbortSignal.any([req.signal, deadline]) : deadline,
    }
    return this.fetch(url, init)
  }

  /** Reads the body once (the guarded fetch may have to send it twice), then the attempt. */
  private async guardedAttempt(url: URL, req: UpstreamRequest): Promise<() => Promise<Response>> {
    const body =
      req.body instanceof ReadableStream ? await readLimited(req.body, this.opts.bodyLimit) : req.body
    return () =>
      this.opts.guardedFetch(url, {
        method: req.method,
        headers: req.headers,
        body,
        redirect: 'manual',
        signal: req.signal,
        timeoutMs: this.opts.timeoutMs,
        maxBytes: Number.MAX_SAFE_INTEGER,
      })
  }
}

/** Passes the stream through, erroring with 413 once more than `limit` bytes went by. */
export function limitStream(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limit) controller.error(tooLarge(limit))
        else controller.enqueue(chunk)
      },
    }),
  )
}

async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  try {
    return await Bun.readableStreamToBytes(limitStream(body, limit))
  } catch (err) {
    if (err instanceof XrpcError) throw err
    throw new InvalidRequestError('Could not read the request body', 'InvalidRequest', { cause: err })
  }
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request entity too large: the limit is ${limit} bytes`)
}

/** Nothing was answered: the connection could not be made or broke before the headers. */
function isConnectionFailure(err: unknown, clientSignal: AbortSignal | undefined): boolean {
  if (clientSignal?.aborted || err instanceof XrpcError) return false
  if (err instanceof OutboundError) {
    return !(err instanceof OutboundTimeoutError) && !(err instanceof OutboundBlockedError)
  }
  return !(err instanceof DOMException)
}

function upstreamError(err: unknown, clientSignal: AbortSignal | undefined): unknown {
  if (clientSignal?.aborted) return clientSignal.reason
  if (err instanceof XrpcError) return err
  if (err instanceof OutboundBlockedError) {
    return new InvalidRequestError(`proxy target refused: ${err.message}`)
  }
  if (err instanceof OutboundTimeoutError || (err instanceof DOMException && err.name === 'TimeoutError')) {
    return new UpstreamTimeoutError()
  }
  return new UpstreamFailureError(UNREACHABLE, 'UpstreamFailure', { cause: err })
}
