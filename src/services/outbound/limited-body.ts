/**
 * Wraps a fetched response so its body can be read only up to a byte limit. The limit counts
 * decoded bytes (fetch decompresses), so a small gzip bomb cannot get past it. Reading past the
 * limit fails with OutboundResponseTooLargeError; a body cut off by the request deadline fails
 * with OutboundTimeoutError.
 */
import { OutboundResponseTooLargeError, OutboundTimeoutError } from './errors.ts'

/** Headers that describe the wire encoding, which no longer applies to the decoded body. */
const WIRE_HEADERS = ['content-encoding', 'content-length']

export function limitResponse(res: Response, maxBytes: number, deadline: AbortSignal): Response {
  const encoded = res.headers.has('content-encoding')
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  if (!encoded && declared > maxBytes) {
    res.body?.cancel().catch(() => {})
    throw tooLarge(maxBytes)
  }
  const headers = new Headers(res.headers)
  if (encoded) for (const name of WIRE_HEADERS) headers.delete(name)
  const init = { status: res.status, statusText: res.statusText, headers }
  if (res.body === null) return new Response(null, init)
  return new Response(limitStream(res.body, maxBytes, deadline), init)
}

function limitStream(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  deadline: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let received = 0
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>
        try {
          chunk = await reader.read()
        } catch (err) {
          controller.error(deadline.aborted ? new OutboundTimeoutError('response body timed out') : err)
          return
        }
        if (chunk.done) return controller.close()
        received += chunk.value.byteLength
        if (received > maxBytes) {
          reader.cancel().catch(() => {})
          controller.error(tooLarge(maxBytes))
          return
        }
        controller.enqueue(chunk.value)
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function tooLarge(maxBytes: number): OutboundResponseTooLargeError {
  return new OutboundResponseTooLargeError(`response body is larger than ${maxBytes} bytes`)
}
