/**
 * Reading upstream answers that read-after-write has to look into: buffered up to a limit
 * (larger answers are passed on untouched, as the reference does past 10 MB), then decoded from
 * their content coding with the decoded size bounded too, so a small compressed body cannot
 * expand without limit.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'

export type Buffered =
  | { complete: true; bytes: Uint8Array }
  | { complete: false; stream: ReadableStream<Uint8Array> }

/** The whole body when it fits in `limit` bytes; otherwise a stream of all of it, nothing lost. */
export async function readUpTo(body: ReadableStream<Uint8Array>, limit: number): Promise<Buffered> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { complete: true, bytes: concat(chunks, size) }
    chunks.push(value)
    size += value.byteLength
    if (size > limit) break
  }
  // Too large: hand on what was read, then the rest.
  let next = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (next < chunks.length) return controller.enqueue(chunks[next++]!)
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
  return { complete: false, stream }
}

/** The decoded bytes, or undefined for a coding this server does not decode or a body too large. */
export function decodeContent(
  bytes: Uint8Array,
  coding: string | null,
  maxBytes: number,
): Uint8Array | undefined {
  const name = coding?.trim().toLowerCase() ?? 'identity'
  const opts = { maxOutputLength: maxBytes }
  try {
    if (name === 'identity' || name === '') return bytes
    if (name === 'gzip' || name === 'x-gzip') return gunzipSync(bytes, opts)
    if (name === 'deflate') return inflateSync(bytes, opts)
    if (name === 'br') return brotliDecompressSync(bytes, opts)
  } catch {
    return undefined
  }
  return undefined
}

/** Whether a Content-Type is JSON (`application/json`, `application/…+json`); undefined when absent. */
export function isJsonContentType(contentType: string | null): boolean | undefined {
  if (!contentType) return undefined
  return /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType)
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
