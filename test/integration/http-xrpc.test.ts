// XRPC request checks over real HTTP, with handlers of the test's own: params, input encoding,
// JSON parsing, size limits, output validation, the 500 funnel and the request log.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ids } from '../../lexicons/ids.ts'
import { cidForRaw } from '../../src/core/cid.ts'
import { xrpcMethod } from '../../src/http/xrpc/types.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { type Harness, startHarness } from './harness.ts'

const BLOB_LIMIT = 1024
const lines: Record<string, unknown>[] = []

const methods = [
  xrpcMethod(ids.ComAtprotoSyncListRepos, {
    auth: 'none',
    handler: ({ params }) => ({
      encoding: 'application/json',
      body: { repos: [], cursor: String(params.limit) },
    }),
  }),
  xrpcMethod(ids.ComAtprotoServerCreateInviteCode, {
    auth: 'none',
    handler: ({ input }) => ({ encoding: 'application/json', body: { code: JSON.stringify(input?.body) } }),
  }),
  xrpcMethod(ids.ComAtprotoRepoUploadBlob, {
    auth: 'none',
    handler: async ({ input }) => {
      const bytes = input?.kind === 'stream' ? await Bun.readableStreamToBytes(input.body) : new Uint8Array()
      const blob = { $type: 'blob', ref: cidForRaw(bytes), mimeType: input?.encoding, size: bytes.byteLength }
      return { encoding: 'application/json', body: { blob } }
    },
  }),
  xrpcMethod(ids.ComAtprotoServerDescribeServer, {
    auth: 'none',
    handler: () => {
      throw new Error('connection to /var/lib/perlsky/perlsky.sqlite failed: password=hunter2')
    },
  }),
  xrpcMethod(ids.ComAtprotoServerGetSession, {
    auth: 'none',
    // Not a getSession output: handle and did are required.
    handler: () => ({ encoding: 'application/json', body: { nonsense: true } }),
  }),
]

let h: Harness

beforeAll(async () => {
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  })
  h = await startHarness({ methods, logger, config: { blob_upload_limit: BLOB_LIMIT } })
})
afterAll(() => h.stop())

const post = (nsid: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/xrpc/${nsid}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })

async function expectError(res: Response, status: number, error: string, message?: string) {
  expect(res.status).toBe(status)
  const body = (await res.json()) as { error: string; message: string }
  expect(body.error).toBe(error)
  if (message !== undefined) expect(body.message).toBe(message)
}

describe('params', () => {
  test('are coerced from the lexicon', async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.sync.listRepos?limit=7`)
    expect(await res.json()).toEqual({ repos: [], cursor: '7' })
  })

  test('that do not fit the lexicon are 400 InvalidRequest', async () => {
    await expectError(
      await fetch(`${h.url}/xrpc/com.atproto.sync.listRepos?limit=abc`),
      400,
      'InvalidRequest',
      'limit must be an integer',
    )
    await expectError(
      await fetch(`${h.url}/xrpc/com.atproto.sync.listRepos?limit=5000`),
      400,
      'InvalidRequest',
    )
  })
})

describe('JSON input', () => {
  test('a valid body reaches the handler', async () => {
    const res = await post('com.atproto.server.createInviteCode', '{"useCount":3}')
    expect(await res.json()).toEqual({ code: '{"useCount":3}' })
  })

  test('malformed JSON is 400 InvalidRequest', async () => {
    await expectError(
      await post('com.atproto.server.createInviteCode', '{"useCount":'),
      400,
      'InvalidRequest',
    )
  })

  test('a wrong Content-Type is 400 InvalidRequest', async () => {
    const res = await post('com.atproto.server.createInviteCode', 'useCount=3', {
      'content-type': 'text/plain',
    })
    await expectError(res, 400, 'InvalidRequest', 'Wrong request encoding (Content-Type): text/plain')
  })

  test('a body failing the lexicon is 400 InvalidRequest naming the field', async () => {
    const res = await post('com.atproto.server.createInviteCode', '{"useCount":"three"}')
    await expectError(res, 400, 'InvalidRequest', 'Input/useCount must be an integer')
  })

  test('a body over 150 KiB is 413 PayloadTooLarge', async () => {
    const big = JSON.stringify({ useCount: 1, pad: 'x'.repeat(151 * 1024) })
    await expectError(await post('com.atproto.server.createInviteCode', big), 413, 'PayloadTooLarge')
  })
})

describe('binary input', () => {
  const upload = (body: Uint8Array | ReadableStream<Uint8Array> | string) =>
    fetch(`${h.url}/xrpc/com.atproto.repo.uploadBlob`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'image/png' },
    })

  test('a body within blob_upload_limit is streamed to the handler', async () => {
    const bytes = new Uint8Array(BLOB_LIMIT).fill(7)
    expect(await (await upload(bytes)).json()).toEqual({
      blob: {
        $type: 'blob',
        ref: { $link: cidForRaw(bytes).toString() },
        mimeType: 'image/png',
        size: BLOB_LIMIT,
      },
    })
  })

  test('a Content-Length over blob_upload_limit is 413', async () => {
    await expectError(await upload(new Uint8Array(BLOB_LIMIT + 1)), 413, 'PayloadTooLarge')
  })

  test('a chunked body that grows past blob_upload_limit is 413', async () => {
    const chunk = new Uint8Array(BLOB_LIMIT / 2 + 1)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk)
        controller.enqueue(chunk)
        controller.close()
      },
    })
    await expectError(await upload(stream), 413, 'PayloadTooLarge')
  })
})

describe('server errors', () => {
  test('an unexpected exception is a bare 500, logged with the request id', async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.describeServer`)
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({ error: 'InternalServerError', message: 'Internal Server Error' })
    expect(text).not.toContain('hunter2')
    const requestId = res.headers.get('x-request-id')
    const logged = lines.find((line) => line.msg === 'request failed' && line.requestId === requestId)
    expect(logged).toMatchObject({
      level: 'error',
      status: 500,
      path: '/xrpc/com.atproto.server.describeServer',
    })
  })

  test('a response that fails its lexicon is a 500 (output validation is on in tests)', async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.server.getSession`)
    await expectError(res, 500, 'InternalServerError', 'Internal Server Error')
  })
})

describe('request log', () => {
  test('writes one line per request, without the query string or headers', async () => {
    const res = await fetch(`${h.url}/xrpc/com.atproto.sync.listRepos?limit=3&cursor=sekrit-cursor`, {
      headers: { Authorization: 'Bearer sekrit-token' },
    })
    const requestId = res.headers.get('x-request-id')
    await res.arrayBuffer()
    const mine = lines.filter((line) => line.requestId === requestId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({
      msg: 'request',
      method: 'GET',
      path: '/xrpc/com.atproto.sync.listRepos',
      status: 200,
    })
    expect(typeof mine[0]!.durationMs).toBe('number')
    expect(JSON.stringify(lines)).not.toContain('sekrit')
  })
})
