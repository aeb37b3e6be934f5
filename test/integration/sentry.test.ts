import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ids } from '../../lexicons/ids.ts'
import { xrpcMethods } from '../../src/http/xrpc/methods.ts'
import { type AnyXrpcMethod, xrpcMethod } from '../../src/http/xrpc/types.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { InvalidRequestError } from '../../src/services/errors.ts'
import { createErrorReporter, scrubQuery } from '../../src/services/sentry/index.ts'
import { FAKE_SENTRY_KEY, type FakeSentry, startFakeSentry } from '../fakes/sentry.ts'
import { signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

function failInAccountCheck(): never {
  throw new TypeError('account check blew up')
}

/** The real methods, with three replaced: two bugs (unhandled) and one handled refusal. */
const methods: AnyXrpcMethod[] = [
  ...xrpcMethods.filter(
    (m) =>
      m.nsid !== ids.ComAtprotoServerCheckAccountStatus &&
      m.nsid !== ids.ComAtprotoSyncListRepos &&
      m.nsid !== ids.ComAtprotoServerDescribeServer,
  ),
  xrpcMethod(ids.ComAtprotoServerCheckAccountStatus, { auth: 'access', handler: () => failInAccountCheck() }),
  xrpcMethod(ids.ComAtprotoSyncListRepos, {
    auth: 'none',
    handler: () => {
      throw new RangeError('listRepos blew up', { cause: new Error('the cause') })
    },
  }),
  xrpcMethod(ids.ComAtprotoServerDescribeServer, {
    auth: 'none',
    handler: () => {
      throw new InvalidRequestError('handled refusal', 'SomethingHandled')
    },
  }),
]

/** The parts of a Sentry event these tests look at. */
interface SentryEvent {
  exception: { values: { type: string; value: string; stacktrace?: { frames: { function?: string }[] } }[] }
  request: { method: string; url: string; query_string: string }
  user?: { id: string }
  tags: Record<string, string>
  server_name: string
}

const eventsOf = (sentry: FakeSentry) => sentry.events() as unknown as SentryEvent[]

describe('Sentry reporting with sentry_dsn', () => {
  let sentry: FakeSentry
  let h: Harness
  const logLines: string[] = []
  beforeAll(async () => {
    sentry = startFakeSentry()
    const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => logLines.push(line) })
    h = await startHarness({ config: { sentry_dsn: sentry.dsn }, methods, logger })
  })
  afterAll(async () => {
    await h.stop()
    sentry.stop()
  })

  test('reports an unhandled exception with the request, the account and stack frames', async () => {
    const alice = await signUp(h, 'alice')
    const res = await fetch(`${h.url}/xrpc/${ids.ComAtprotoServerCheckAccountStatus}`, {
      headers: { authorization: `Bearer ${alice.agent.session!.accessJwt}` },
    })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: 'InternalServerError', message: 'Internal Server Error' })
    await h.ctx.errorReporter.flush()

    expect(sentry.envelopes).toHaveLength(1)
    expect(sentry.envelopes[0]!.key).toBe(FAKE_SENTRY_KEY)
    const [event] = eventsOf(sentry)
    expect(event!.exception.values.at(-1)).toMatchObject({
      type: 'TypeError',
      value: 'account check blew up',
    })
    const frames = event!.exception.values.at(-1)?.stacktrace?.frames ?? []
    expect(frames.some((f) => f.function?.includes('failInAccountCheck'))).toBe(true)
    expect(event!.request).toEqual({
      method: 'GET',
      url: `${h.baseUrl}/xrpc/${ids.ComAtprotoServerCheckAccountStatus}`,
      query_string: '',
    })
    expect(event!.user).toEqual({ id: alice.did })
    expect(event!.tags).toEqual({
      nsid: ids.ComAtprotoServerCheckAccountStatus,
      request_id: res.headers.get('x-request-id') ?? 'missing',
    })
    expect(event!.server_name).toBe(h.config.hostname)
  })

  test('reports the cause chain and replaces secret-looking query values', async () => {
    const before = sentry.events().length
    const query = 'limit=5&cursor=abc&access_token=leaked-token'
    expect((await fetch(`${h.url}/xrpc/${ids.ComAtprotoSyncListRepos}?${query}`)).status).toBe(500)
    await h.ctx.errorReporter.flush()
    const event = eventsOf(sentry)[before]!
    const values = event.exception.values
    expect(values.map((v) => [v.type, v.value])).toEqual([
      ['Error', 'the cause'],
      ['RangeError', 'listRepos blew up'],
    ])
    expect(event.request.query_string).toBe('limit=5&cursor=abc&access_token=%5Bredacted%5D')
    expect(JSON.stringify(event)).not.toContain('leaked-token')
    expect(event.user).toBeUndefined()
  })

  test('does not report handled XRPC errors', async () => {
    const before = sentry.envelopes.length
    expect((await fetch(`${h.url}/xrpc/${ids.ComAtprotoServerDescribeServer}`)).status).toBe(400)
    expect((await fetch(`${h.url}/xrpc/${ids.ComAtprotoServerGetSession}`)).status).toBe(401)
    expect((await fetch(`${h.url}/xrpc/com.example.not.there`)).status).toBeGreaterThanOrEqual(400)
    await h.ctx.errorReporter.flush()
    expect(sentry.envelopes).toHaveLength(before)
  })

  test('keeps the DSN key out of the logs', () => {
    expect(logLines.length).toBeGreaterThan(0)
    expect(logLines.join('')).not.toContain(FAKE_SENTRY_KEY)
  })
})

describe('without sentry_dsn', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ methods })
  })
  afterAll(() => h.stop())

  test('answers 500 and reports nothing', async () => {
    expect(h.ctx.errorReporter.enabled).toBe(false)
    expect((await fetch(`${h.url}/xrpc/${ids.ComAtprotoSyncListRepos}`)).status).toBe(500)
    await h.ctx.errorReporter.flush()
  })
})

describe('the error reporter', () => {
  test('does nothing without a DSN', async () => {
    const reporter = createErrorReporter({
      dsn: undefined,
      baseUrl: 'https://pds.example.com',
      release: '0.0.0',
      serverName: 'pds.example.com',
      logger: createLogger({ sink: () => {} }),
    })
    expect(reporter.enabled).toBe(false)
    reporter.report(new Error('x'), {
      requestId: 'r',
      method: 'GET',
      nsid: undefined,
      path: '/',
      query: new URLSearchParams(),
      did: undefined,
    })
    await reporter.close()
  })

  test.each([
    [
      'cursor=abc&limit=10&rkey=self&author=did%3Aplc%3Ax',
      'cursor=abc&limit=10&rkey=self&author=did%3Aplc%3Ax',
    ],
    ['key=k&session=s', 'key=%5Bredacted%5D&session=%5Bredacted%5D'],
    ['password=hunter2&handle=a.test', 'password=%5Bredacted%5D&handle=a.test'],
    [
      'code=123&request_uri=urn%3Ax&refreshJwt=x',
      'code=%5Bredacted%5D&request_uri=urn%3Ax&refreshJwt=%5Bredacted%5D',
    ],
  ])('scrubs the query %s', (query, expected) => {
    expect(scrubQuery(new URLSearchParams(query))).toBe(expected)
  })
})
