// The XRPC dispatch order and checks, driven with Request objects (no HTTP server): the real
// lexicon catalogue, a handler table made up per test.
import { describe, expect, test } from 'bun:test'
import { ids } from '../../../lexicons/ids.ts'
import { cidForRaw } from '../../../src/core/cid.ts'
import { loadBuiltinLexicons } from '../../../src/core/lexicon/index.ts'
import { createAuthVerifiers } from '../../../src/http/xrpc/auth.ts'
import { createXrpcRouter } from '../../../src/http/xrpc/route.ts'
import { type AnyXrpcMethod, type AuthVerifiers, xrpcMethod } from '../../../src/http/xrpc/types.ts'
import { silentLogger } from '../../../src/lib/logger.ts'
import type { AppContext } from '../../../src/services/context.ts'
import {
  AuthRequiredError,
  InternalServerError,
  InvalidRequestError,
  MethodNotImplementedError,
  PayloadTooLargeError,
  type XrpcError,
} from '../../../src/services/errors.ts'

const lexicons = loadBuiltinLexicons()
const ctx = {} as AppContext
const BINARY_LIMIT = 16

const listRepos = xrpcMethod(ids.ComAtprotoSyncListRepos, {
  auth: 'none',
  handler: ({ params }) => ({
    encoding: 'application/json',
    body: { repos: [], cursor: JSON.stringify(params) },
  }),
})
const createInviteCode = xrpcMethod(ids.ComAtprotoServerCreateInviteCode, {
  auth: 'none',
  handler: ({ input }) => ({ encoding: 'application/json', body: { code: JSON.stringify(input?.body) } }),
})
const uploadBlob = xrpcMethod(ids.ComAtprotoRepoUploadBlob, {
  auth: 'none',
  handler: async ({ input }) => {
    if (input?.kind !== 'stream') throw new Error('expected a stream')
    const bytes = await Bun.readableStreamToBytes(input.body)
    const blob = { $type: 'blob', ref: cidForRaw(bytes), mimeType: input.encoding, size: bytes.byteLength }
    return { encoding: 'application/json', body: { blob } }
  },
})
const deleteSession = xrpcMethod(ids.ComAtprotoServerDeleteSession, {
  auth: 'none',
  handler: () => undefined,
})

function router(methods: AnyXrpcMethod[], overrides: Partial<AuthVerifiers> = {}) {
  const auth: AuthVerifiers = { ...createAuthVerifiers(ctx), ...overrides }
  const route = createXrpcRouter({
    ctx,
    lexicons,
    methods,
    auth,
    validateOutput: true,
    binaryInputLimit: BINARY_LIMIT,
  })
  return (path: string, init?: RequestInit) => {
    const request = new Request(`http://127.0.0.1${path}`, init)
    const client = { ip: '127.0.0.1', proto: 'http' as const, host: '127.0.0.1' }
    return route({ request, url: new URL(request.url), client, requestId: 'r1', logger: silentLogger() })
  }
}

const all = router([listRepos, createInviteCode, uploadBlob, deleteSession])

function json(body: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
  }
}

async function rejection(promise: Promise<unknown>): Promise<XrpcError> {
  try {
    await promise
  } catch (err) {
    return err as XrpcError
  }
  throw new Error('expected a rejection')
}

function expectError(err: XrpcError, status: number, message: string): void {
  expect({ status: err.status, error: err.error, message: err.message }).toEqual({
    status,
    error: status === 400 ? 'InvalidRequest' : err.error,
    message,
  })
}

describe('method resolution', () => {
  test('an NSID that no lexicon defines is MethodNotImplemented', async () => {
    expect(await rejection(all('/xrpc/com.example.nothing'))).toBeInstanceOf(MethodNotImplementedError)
  })

  test('a known method without a handler is MethodNotImplemented', async () => {
    expect(await rejection(all('/xrpc/com.atproto.repo.createRecord', json('{}')))).toBeInstanceOf(
      MethodNotImplementedError,
    )
  })

  test('the verb is checked before the handler table, as by the reference', async () => {
    const err = await rejection(all('/xrpc/com.atproto.repo.createRecord'))
    expectError(err, 400, 'Incorrect HTTP method (GET) expected POST')
  })

  test('a query answers POST with InvalidRequest', async () => {
    const err = await rejection(all('/xrpc/com.atproto.sync.listRepos', json('{}')))
    expectError(err, 400, 'Incorrect HTTP method (POST) expected GET')
  })

  test('a path that is not an NSID is InvalidRequest', async () => {
    for (const path of ['/xrpc/nope', '/xrpc/com..x.y', '/xrpc/com.example.a/b']) {
      expectError(await rejection(all(path)), 400, 'invalid xrpc path')
    }
  })

  test('refuses to register a handler for an NSID the lexicons do not define as a method', () => {
    const bogus = xrpcMethod('com.example.nothing', { auth: 'none', handler: () => undefined })
    expect(() => router([bogus])).toThrow('not a query or procedure')
    const record = xrpcMethod(ids.AppBskyFeedPost, { auth: 'none', handler: () => undefined })
    expect(() => router([record])).toThrow('not a query or procedure')
    expect(() => router([deleteSession, deleteSession])).toThrow('registered twice')
  })
})

describe('params', () => {
  test('are coerced from the lexicon, undeclared ones dropped', async () => {
    const res = await all('/xrpc/com.atproto.sync.listRepos?limit=5&cursor=abc&extra=1')
    expect(((await res.json()) as { cursor: string }).cursor).toBe('{"limit":5,"cursor":"abc"}')
  })

  test('that do not coerce are InvalidRequest with the lexicon message', async () => {
    const err = await rejection(all('/xrpc/com.atproto.sync.listRepos?limit=abc'))
    expectError(err, 400, 'limit must be an integer')
  })

  test('are validated before auth runs', async () => {
    const deny = { none: () => Promise.reject(new AuthRequiredError()) }
    const err = await rejection(router([listRepos], deny)('/xrpc/com.atproto.sync.listRepos?limit=0'))
    expect(err.status).toBe(400)
  })
})

describe('input', () => {
  test('auth runs before the body is read', async () => {
    const deny = { none: () => Promise.reject(new AuthRequiredError()) }
    const err = await rejection(
      router([createInviteCode], deny)('/xrpc/com.atproto.server.createInviteCode', json('{')),
    )
    expect(err).toBeInstanceOf(AuthRequiredError)
  })

  test('a valid JSON body reaches the handler', async () => {
    const res = await all('/xrpc/com.atproto.server.createInviteCode', json('{"useCount":2}'))
    expect(await res.json()).toEqual({ code: '{"useCount":2}' })
  })

  const bad: [string, RequestInit, string][] = [
    ['malformed JSON', json('{"useCount":'), 'Request body is not valid JSON'],
    [
      'a wrong Content-Type',
      json('{}', { 'content-type': 'text/plain' }),
      'Wrong request encoding (Content-Type): text/plain',
    ],
    [
      'a missing body',
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      'A request body is expected but none was provided',
    ],
    ['a body failing the lexicon', json('{"useCount":"two"}'), 'Input/useCount must be an integer'],
  ]
  for (const [what, init, message] of bad) {
    test(`${what} is InvalidRequest`, async () => {
      const err = await rejection(all('/xrpc/com.atproto.server.createInviteCode', init))
      expect(err).toBeInstanceOf(InvalidRequestError)
      expect(err.message).toBe(message)
    })
  }

  test('a JSON body over 150 KiB is PayloadTooLarge', async () => {
    const big = JSON.stringify({ useCount: 1, pad: 'x'.repeat(160 * 1024) })
    expect(await rejection(all('/xrpc/com.atproto.server.createInviteCode', json(big)))).toBeInstanceOf(
      PayloadTooLargeError,
    )
  })

  test('a binary body is streamed to the handler with its Content-Type, and CIDs written as $link', async () => {
    const body = '{"not":"parsed"}'
    const res = await all('/xrpc/com.atproto.repo.uploadBlob', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'content-length': '16' },
    })
    const ref = { $link: cidForRaw(new TextEncoder().encode(body)).toString() }
    expect(await res.json()).toEqual({ blob: { $type: 'blob', ref, mimeType: 'application/json', size: 16 } })
  })

  test('JSON input arrives as data-model values ($link → CID, $bytes → bytes)', async () => {
    const cid = cidForRaw(new Uint8Array([1]))
    let seen: unknown
    const createRecord = xrpcMethod(ids.ComAtprotoRepoCreateRecord, {
      auth: 'none',
      handler: ({ input }) => {
        seen = input?.body
        return {
          encoding: 'application/json',
          body: { uri: 'at://did:web:a.test/x.y.z/abc', cid: cid.toString() },
        }
      },
    })
    const record = { $type: 'x.y.z', link: { $link: cid.toString() }, raw: { $bytes: 'AQI' } }
    const body = JSON.stringify({ repo: 'did:web:a.test', collection: 'x.y.z', record })
    const res = await router([createRecord])('/xrpc/com.atproto.repo.createRecord', json(body))
    expect(res.status).toBe(200)
    expect(seen).toEqual({
      repo: 'did:web:a.test',
      collection: 'x.y.z',
      record: { $type: 'x.y.z', link: cid, raw: new Uint8Array([1, 2]) },
    })
  })

  test('JSON that is not in the data model is InvalidRequest', async () => {
    const body = JSON.stringify({ useCount: 1, forAccount: { $link: 'not a cid' } })
    const err = await rejection(all('/xrpc/com.atproto.server.createInviteCode', json(body)))
    expect(err).toBeInstanceOf(InvalidRequestError)
  })

  test('a binary body over the limit is PayloadTooLarge', async () => {
    const init = {
      method: 'POST',
      body: 'x'.repeat(17),
      headers: { 'content-type': 'image/png', 'content-length': '17' },
    }
    expect(await rejection(all('/xrpc/com.atproto.repo.uploadBlob', init))).toBeInstanceOf(
      PayloadTooLargeError,
    )
  })

  test('a method without input refuses a body but accepts none', async () => {
    expect((await all('/xrpc/com.atproto.server.deleteSession', { method: 'POST' })).status).toBe(200)
    const err = await rejection(all('/xrpc/com.atproto.server.deleteSession', json('{}')))
    expect(err.message).toBe('A request body was provided when none was expected')
  })
})

describe('output', () => {
  test('a response that fails the lexicon is an InternalServerError', async () => {
    const broken = xrpcMethod(ids.ComAtprotoServerCreateInviteCode, {
      auth: 'none',
      handler: () => ({ encoding: 'application/json', body: { code: 42 } }),
    })
    const err = await rejection(
      router([broken])('/xrpc/com.atproto.server.createInviteCode', json('{"useCount":1}')),
    )
    expect(err).toBeInstanceOf(InternalServerError)
  })

  test('a missing response body where the lexicon expects one is an InternalServerError', async () => {
    const silent = xrpcMethod(ids.ComAtprotoSyncListRepos, { auth: 'none', handler: () => undefined })
    expect(await rejection(router([silent])('/xrpc/com.atproto.sync.listRepos'))).toBeInstanceOf(
      InternalServerError,
    )
  })

  test('binary output is sent as it is, with its encoding', async () => {
    const getBlob = xrpcMethod(ids.ComAtprotoSyncGetBlob, {
      auth: 'none',
      handler: () => ({ encoding: 'image/png', body: new Uint8Array([1, 2, 3]) }),
    })
    const res = await router([getBlob])(
      '/xrpc/com.atproto.sync.getBlob?did=did:web:a.test&cid=bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
    )
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]))
  })
})
