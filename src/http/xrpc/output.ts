/**
 * Turning a handler's output into the HTTP response, and (in tests and `serve --dev`) checking it
 * against the lexicon first. JSON bodies are data-model values (CIDs, bytes), written in their
 * JSON form (`{$link}`, `{$bytes}`). The check is off in production: it walks every response
 * body, and a mismatch there is our bug, which the test suite is the place to catch.
 */
import { lexToJson } from '../../core/data-model.ts'
import { InternalServerError } from '../../services/errors.ts'
import { encodingMatches } from './body.ts'
import { asInvalidResponse, type XrpcLexicons } from './lexicons.ts'
import type { XrpcOutput } from './types.ts'

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

export function outputResponse(output: XrpcOutput): Response {
  if (output === undefined) return new Response(null, { status: 200 })
  const headers = new Headers(output.headers)
  if (isRawBody(output.body)) {
    headers.set('Content-Type', output.encoding)
    return new Response(output.body, { status: 200, headers })
  }
  headers.set('Content-Type', JSON_CONTENT_TYPE)
  return new Response(JSON.stringify(lexToJson(output.body)), { status: 200, headers })
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
