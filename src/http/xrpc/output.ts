/**
 * Turning a handler's output into the HTTP response, and (in tests and `serve --dev`) checking it
 * against the lexicon first. JSON bodies are data-model values (CIDs, bytes), written in their
 * JSON form (`{$link}`, `{$bytes}`). The check is off in production: it walks every response
 * body, and a mismatch there is our bug, which the test suite is the place to catch.
 * JSON of at least 1 KiB is compressed (brotli, else gzip) when the client accepts it; binary
 * bodies (blobs, CARs) never are: they are already compressed media or meant to be streamed as
 * they are. A binary output carrying `Content-Range` is a partial response (206).
 */
import { brotliCompressSync, constants as zlib } from 'node:zlib'
import { lexToJson } from '../../core/data-model.ts'
import { InternalServerError } from '../../services/errors.ts'
import { encodingMatches } from './body.ts'
import { asInvalidResponse, type XrpcLexicons } from './lexicons.ts'
import type { XrpcOutput } from './types.ts'

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
/** Smaller bodies are sent as they are: compressing them saves less than it costs. */
export const COMPRESSION_THRESHOLD = 1024
/** Brotli's default (11) is far too slow for responses; 4 compresses about as well as gzip -6, faster. */
const BROTLI_QUALITY = 4

export type ContentCoding = 'br' | 'gzip'

/** `acceptEncoding`: the request's Accept-Encoding header (null or absent: no compression). */
export function outputResponse(output: XrpcOutput, acceptEncoding: string | null = null): Response {
  if (output === undefined) return new Response(null, { status: 200 })
  const headers = new Headers(output.headers)
  if (isRawBody(output.body)) {
    headers.set('Content-Type', output.encoding)
    return new Response(output.body, { status: headers.has('Content-Range') ? 206 : 200, headers })
  }
  headers.set('Content-Type', JSON_CONTENT_TYPE)
  headers.append('Vary', 'Accept-Encoding')
  const text = JSON.stringify(lexToJson(output.body))
  const coding = text.length >= COMPRESSION_THRESHOLD ? chooseCoding(acceptEncoding) : undefined
  if (coding === undefined) return new Response(text, { status: 200, headers })
  headers.set('Content-Encoding', coding)
  const compressed =
    coding === 'br'
      ? brotliCompressSync(text, { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } })
      : Bun.gzipSync(text)
  return new Response(compressed, { status: 200, headers })
}

/** The coding to use for an Accept-Encoding header: brotli, else gzip, honouring `q` weights and `*`. */
export function chooseCoding(acceptEncoding: string | null): ContentCoding | undefined {
  if (!acceptEncoding) return undefined
  const weights = new Map<string, number>()
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim())
    const q = params.find((p) => p.startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    weights.set(name, Number.isFinite(weight) ? weight : 0)
  }
  const weight = (coding: string) => weights.get(coding) ?? weights.get('*') ?? 0
  const br = weight('br')
  const gzip = weight('gzip')
  if (br > 0 && br >= gzip) return 'br'
  return gzip > 0 ? 'gzip' : undefined
}

export function checkOutput(lexicons: XrpcLexicons, nsid: string, output: XrpcOutput): void {
  const expected = lexicons.getOutputEncoding(nsid)
  if (expected === undefined) {
    if (output !== undefined) {
      throw new InternalServerError(`${nsid}: a response body was returned, none expected`)
    }
    return
  }
  if (output === undefined) throw new InternalServerError(`${nsid}: no response body returned, one expected`)
  const encoding = output.encoding.split(';', 1)[0]!.trim().toLowerCase()
  if (!encodingMatches(expected, encoding)) {
    throw new InternalServerError(`${nsid}: response encoding ${encoding} does not match ${expected}`)
  }
  if (encoding === 'application/json' && !isRawBody(output.body)) {
    asInvalidResponse(() => lexicons.validateOutput(nsid, output.body))
  }
}

/** Bytes to send as they are; anything else is a JSON value to serialize. */
function isRawBody(body: unknown): body is Uint8Array | ReadableStream<Uint8Array> | Blob {
  return body instanceof Uint8Array || body instanceof ReadableStream || body instanceof Blob
}
