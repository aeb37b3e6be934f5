import { describe, expect, test } from 'bun:test'
import {
  assertNoBody,
  bodyPresence,
  encodingMatches,
  limitedBody,
  readJsonBody,
  requestEncoding,
} from '../../../src/http/xrpc/body.ts'
import {
  InvalidRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../src/services/errors.ts'

const URL = 'http://127.0.0.1/xrpc/com.example.test'
const encoder = new TextEncoder()

/** A request whose body is sent in the given chunks, without Content-Length (chunked framing). */
function chunked(chunks: Uint8Array[], headers: Record<string, string> = {}): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  return new Request(URL, { method: 'POST', body, headers: { 'transfer-encoding': 'chunked', ...headers } })
}

function sized(body: Uint8Array | string, headers: Record<string, string> = {}): Request {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body
  return new Request(URL, {
    method: 'POST',
    body: bytes,
    headers: { 'content-length': String(bytes.byteLength), ...headers },
  })
}

describe('bodyPresence', () => {
  const cases: [Record<string, string>, string][] = [
    [{}, 'missing'],
    [{ 'content-length': '0' }, 'empty'],
    [{ 'content-length': '12' }, 'present'],
    [{ 'transfer-encoding': 'chunked' }, 'present'],
  ]
  for (const [headers, expected] of cases) {
    test(`${JSON.stringify(headers)} is ${expected}`, () => {
      expect(bodyPresence(new Headers(headers))).toBe(expected as ReturnType<typeof bodyPresence>)
    })
  }
})

describe('requestEncoding and encodingMatches', () => {
  test('strips parameters and lower-cases the media type', () => {
    expect(requestEncoding(new Headers({ 'content-type': 'Application/JSON; charset=utf-8' }))).toBe(
      'application/json',
    )
  })

  test('a missing Content-Type is an InvalidRequest', () => {
    expect(() => requestEncoding(new Headers())).toThrow(InvalidRequestError)
  })

  const cases: [string, string, boolean][] = [
    ['application/json', 'application/json', true],
    ['application/json', 'text/plain', false],
    ['*/*', 'image/png', true],
    ['image/*', 'image/png', true],
    ['image/*', 'video/mp4', false],
    ['application/vnd.ipld.car, application/json', 'application/json', true],
  ]
  for (const [allowed, encoding, expected] of cases) {
    test(`${encoding} ${expected ? 'matches' : 'does not match'} ${allowed}`, () => {
      expect(encodingMatches(allowed, encoding)).toBe(expected)
    })
  }
})

describe('readJsonBody', () => {
  test('parses a JSON body', async () => {
    expect(await readJsonBody(sized('{"a":[1,2]}'))).toEqual({ a: [1, 2] })
  })

  test('parses a chunked JSON body', async () => {
    expect(await readJsonBody(chunked([encoder.encode('{"a"'), encoder.encode(':true}')]))).toEqual({
      a: true,
    })
  })

  test('rejects malformed JSON as InvalidRequest', async () => {
    await expect(readJsonBody(sized('{"a":'))).rejects.toThrow(
      new InvalidRequestError('Request body is not valid JSON'),
    )
  })

  test('rejects invalid UTF-8 as InvalidRequest', async () => {
    await expect(readJsonBody(sized(new Uint8Array([0x22, 0xff, 0x22])))).rejects.toThrow(InvalidRequestError)
  })

  test('refuses a Content-Length over the limit before reading the body', async () => {
    let pulled = false
    const body = new ReadableStream<Uint8Array>(
      {
        pull() {
          pulled = true
          throw new Error('must not be read')
        },
      },
      { highWaterMark: 0 },
    )
    const request = new Request(URL, { method: 'POST', body, headers: { 'content-length': '2000' } })
    await expect(readJsonBody(request, 1000)).rejects.toThrow(PayloadTooLargeError)
    expect(pulled).toBe(false)
  })

  test('stops a chunked body at the limit with PayloadTooLarge', async () => {
    const chunk = new Uint8Array(600).fill(0x20)
    await expect(readJsonBody(chunked([chunk, chunk]), 1000)).rejects.toThrow(PayloadTooLargeError)
  })

  test('decodes a gzip Content-Encoding', async () => {
    const gz = Bun.gzipSync(encoder.encode('{"zipped":1}'))
    expect(await readJsonBody(sized(gz, { 'content-encoding': 'gzip' }))).toEqual({ zipped: 1 })
  })

  test('applies the limit to the decoded size (no decompression bombs)', async () => {
    const gz = Bun.gzipSync(new Uint8Array(100_000).fill(0x20))
    expect(gz.byteLength).toBeLessThan(1000)
    await expect(readJsonBody(sized(gz, { 'content-encoding': 'gzip' }), 1000)).rejects.toThrow(
      PayloadTooLargeError,
    )
  })

  test('refuses an unknown Content-Encoding as UnsupportedMediaType', async () => {
    await expect(readJsonBody(sized('{}', { 'content-encoding': 'zstd-ish' }))).rejects.toThrow(
      UnsupportedMediaTypeError,
    )
  })

  test('reports a corrupt gzip body as InvalidRequest', async () => {
    await expect(readJsonBody(sized('not gzip', { 'content-encoding': 'gzip' }))).rejects.toThrow(
      InvalidRequestError,
    )
  })
})

describe('assertNoBody', () => {
  test('accepts no body, Content-Length 0 and an empty chunked body', async () => {
    await assertNoBody(new Request(URL))
    await assertNoBody(new Request(URL, { method: 'POST', headers: { 'content-length': '0' } }))
    await assertNoBody(chunked([]))
  })

  test('refuses a sized body', async () => {
    await expect(assertNoBody(sized('{}'))).rejects.toThrow(
      new InvalidRequestError('A request body was provided when none was expected'),
    )
  })

  test('refuses a chunked body with data', async () => {
    await expect(assertNoBody(chunked([encoder.encode('x')]))).rejects.toThrow(InvalidRequestError)
  })
})

describe('limitedBody', () => {
  test('passes a stream under the limit through unchanged', async () => {
    const stream = limitedBody(chunked([encoder.encode('abc'), encoder.encode('def')]), 6)
    expect(new TextDecoder().decode(await Bun.readableStreamToBytes(stream))).toBe('abcdef')
  })

  test('errors with PayloadTooLarge once the stream passes the limit', async () => {
    const stream = limitedBody(chunked([encoder.encode('abc'), encoder.encode('defg')]), 6)
    await expect(Bun.readableStreamToBytes(stream)).rejects.toThrow(PayloadTooLargeError)
  })

  test('throws at once when Content-Length is over the limit', () => {
    expect(() => limitedBody(sized('abcdefg'), 6)).toThrow(PayloadTooLargeError)
  })
})
