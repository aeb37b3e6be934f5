/**
 * Reading XRPC request bodies under a size limit without buffering more than the limit. JSON is
 * read whole (150 KiB, as the reference PDS); binary bodies (blobs, CARs) stay streams that fail
 * with PayloadTooLarge once they pass their limit, so a handler can write them out as they come.
 * A Content-Length over the limit is refused before a byte is read.
 */
import {
  InvalidRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  XrpcError,
} from '../../services/errors.ts'

export const JSON_BODY_LIMIT = 150 * 1024

export type BodyPresence = 'present' | 'empty' | 'missing'

/** From the headers alone, as the reference: chunked bodies count as present even when empty. */
export function bodyPresence(headers: Headers): BodyPresence {
  if (headers.has('transfer-encoding')) return 'present'
  const length = headers.get('content-length')
  if (length === null) return 'missing'
  return length.trim() === '0' ? 'empty' : 'present'
}

/** The request's media type, lower-cased and without parameters ("application/json"). */
export function requestEncoding(headers: Headers): string {
  const type = headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase()
  if (!type) throw new InvalidRequestError('Request encoding (Content-Type) required but not provided')
  return type
}

/** Does `encoding` satisfy a lexicon encoding ("application/json", "*\/*", "image/*", or a comma list)? */
export function encodingMatches(allowed: string, encoding: string): boolean {
  return allowed.split(',').some((raw) => {
    const pattern = raw.trim().toLowerCase()
    if (pattern === '*/*' || pattern === encoding) return true
    return pattern.endsWith('/*') && encoding.startsWith(pattern.slice(0, -1))
  })
}

/** Methods without input accept no body, or an empty one (clients sometimes send `Content-Length: 0`). */
export async function assertNoBody(request: Request): Promise<void> {
  if (bodyPresence(request.headers) !== 'present') return
  // Chunked framing says nothing about the length: an empty chunked body is still no body.
  if (request.headers.has('transfer-encoding')) {
    const empty = await readBytes(request, 0).then(
      () => true,
      () => false,
    )
    if (empty) return
  }
  throw new InvalidRequestError('A request body was provided when none was expected')
}

export async function readJsonBody(request: Request, limit = JSON_BODY_LIMIT): Promise<unknown> {
  const bytes = await readBytes(request, limit)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new InvalidRequestError('Request body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new InvalidRequestError('Request body is not valid JSON')
  }
}

/** The whole decoded body, at most `limit` bytes. */
export async function readBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers)
  if (declared !== undefined && contentEncoding(request.headers) === undefined) {
    // HTTP framing guarantees no more than Content-Length bytes: read them in one go.
    if (declared > limit) throw tooLarge(limit)
    return guardRead(() => request.bytes())
  }
  return guardRead(async () => Bun.readableStreamToBytes(limitedBody(request, limit)))
}

/**
 * The decoded body as a stream that errors with PayloadTooLarge past `limit` bytes. Throws at once
 * when Content-Length already says it is too large or the Content-Encoding is unknown.
 */
export function limitedBody(request: Request, limit: number): ReadableStream<Uint8Array> {
  const declared = declaredLength(request.headers)
  const encoding = contentEncoding(request.headers)
  if (declared !== undefined && declared > limit && encoding === undefined) throw tooLarge(limit)
  const raw = request.body ?? emptyStream()
  const decoded = encoding === undefined ? raw : raw.pipeThrough(new DecompressionStream(encoding))
  let seen = 0
  return decoded.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limit) controller.error(tooLarge(limit))
        else controller.enqueue(chunk)
      },
    }),
  )
}

async function guardRead(read: () => Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await read()
  } catch (err) {
    if (err instanceof XrpcError) throw err
    throw new InvalidRequestError('Could not read the request body', 'InvalidRequest', { cause: err })
  }
}

function declaredLength(headers: Headers): number | undefined {
  const raw = headers.get('content-length')
  if (raw === null) return undefined
  const length = Number(raw.trim())
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidRequestError('Invalid Content-Length')
  return length
}

/** The decompression format for Content-Encoding; undefined for none or identity. */
function contentEncoding(headers: Headers): 'gzip' | 'deflate' | undefined {
  const value = headers.get('content-encoding')?.trim().toLowerCase()
  if (!value || value === 'identity') return undefined
  if (value === 'gzip' || value === 'x-gzip') return 'gzip'
  if (value === 'deflate') return 'deflate'
  throw new UnsupportedMediaTypeError(`Unsupported Content-Encoding: ${value}`)
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`Request body is larger than ${limit} bytes`)
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() })
}
