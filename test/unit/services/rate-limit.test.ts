import { describe, expect, test } from 'bun:test'
import { XrpcError } from '../../../src/services/errors.ts'
import {
  applyWritesPoints,
  byAccount,
  byIp,
  FixedWindows,
  type LimitedCall,
  type RateLimitPolicy,
  RateLimits,
  REFERENCE_POLICY,
  rateLimitHeaders,
} from '../../../src/services/rate-limit/index.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

function clock(start = 1_000_000) {
  const c = { now: start, read: () => c.now }
  return c
}

function refusal(fn: () => unknown): XrpcError {
  try {
    fn()
  } catch (err) {
    if (err instanceof XrpcError) return err
    throw err
  }
  throw new Error('expected a refusal')
}

const call = (over: Partial<LimitedCall> = {}): LimitedCall => ({
  ip: '198.51.100.1',
  did: 'did:plc:alice',
  body: undefined,
  ...over,
})

describe('FixedWindows', () => {
  test('opens a window at the first point and closes it durationMs later', () => {
    const c = clock()
    const windows = new FixedWindows(MINUTE, c.read)
    expect(windows.consume('k', 2)).toEqual({ consumed: 2, resetAt: c.now + MINUTE })
    c.now += MINUTE - 1
    expect(windows.consume('k', 1).consumed).toBe(3)
    c.now += 1
    expect(windows.consume('k', 1)).toEqual({ consumed: 1, resetAt: c.now + MINUTE })
  })

  test('keeps counting points past any limit, so refusals last until the window closes', () => {
    const windows = new FixedWindows(MINUTE, clock().read)
    for (let i = 0; i < 10; i++) windows.consume('k', 1)
    expect(windows.peek('k')?.consumed).toBe(10)
  })

  test('forgets a key on reset and reports no window for unknown or expired keys', () => {
    const c = clock()
    const windows = new FixedWindows(MINUTE, c.read)
    windows.consume('a', 1)
    windows.consume('b', 1)
    windows.reset('a')
    expect(windows.peek('a')).toBeUndefined()
    c.now += MINUTE
    expect(windows.peek('b')).toBeUndefined()
  })

  test('drops expired windows as new keys arrive', () => {
    const c = clock()
    const windows = new FixedWindows(MINUTE, c.read)
    for (let i = 0; i < 100; i++) windows.consume(`old${i}`, 1)
    c.now += MINUTE
    windows.consume('new', 1)
    expect(windows.size).toBe(1)
  })

  test('drops the oldest tenth of the windows when full of live ones', () => {
    const windows = new FixedWindows(MINUTE, clock().read, 100)
    for (let i = 0; i < 100; i++) windows.consume(`k${i}`, 1)
    windows.consume('one more', 1)
    expect(windows.size).toBe(91)
    expect(windows.peek('k0')).toBeUndefined()
    expect(windows.peek('k10')?.consumed).toBe(1)
  })
})

/** Two requests per minute per IP overall; `test.limited` 3 per hour per account, in points. */
const SMALL: RateLimitPolicy = {
  global: { name: 'global', durationMs: MINUTE, points: 2, key: byIp },
  globalExempt: new Set(['test.exempt']),
  methods: new Map([
    ['test.limited', [{ name: 'writes', durationMs: HOUR, points: 3, key: byAccount }]],
    ['test.costly', [{ name: 'writes', durationMs: HOUR, points: 3, key: byAccount, cost: () => 2 }]],
  ]),
}

describe('RateLimits', () => {
  test('refuses the call past the limit with 429 RateLimitExceeded and the reference headers', () => {
    const c = clock()
    const limits = new RateLimits({ policy: SMALL, now: c.read })
    expect(limits.consumeGlobal('test.any', '198.51.100.1')).toMatchObject({ limit: 2, remaining: 1 })
    expect(limits.consumeGlobal('test.any', '198.51.100.1')).toMatchObject({ remaining: 0 })
    c.now += 20_500
    const err = refusal(() => limits.consumeGlobal('test.any', '198.51.100.1'))
    expect([err.status, err.error]).toEqual([429, 'RateLimitExceeded'])
    expect(err.headers).toEqual({
      'RateLimit-Limit': '2',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(Math.floor((c.now - 20_500 + MINUTE) / 1000)),
      'RateLimit-Policy': '2;w=60',
      'Retry-After': '40',
    })
    // Other clients have their own windows, and the window closes on time.
    expect(limits.consumeGlobal('test.any', '198.51.100.2')?.remaining).toBe(1)
    c.now += 40_000
    expect(limits.consumeGlobal('test.any', '198.51.100.1')?.remaining).toBe(1)
  })

  test('leaves exempt methods out of the global limit', () => {
    const limits = new RateLimits({ policy: SMALL, now: clock().read })
    for (let i = 0; i < 5; i++) expect(limits.consumeGlobal('test.exempt', '198.51.100.1')).toBeUndefined()
  })

  test('charges methods sharing a bucket their own points, per account', () => {
    const limits = new RateLimits({ policy: SMALL, now: clock().read })
    expect(limits.consumeMethod('test.costly', call())?.remaining).toBe(1)
    expect(limits.consumeMethod('test.limited', call())?.remaining).toBe(0)
    expect(refusal(() => limits.consumeMethod('test.limited', call())).status).toBe(429)
    expect(limits.consumeMethod('test.limited', call({ did: 'did:plc:bob' }))?.remaining).toBe(2)
  })

  test('skips a rule whose key the call lacks, and methods without rules', () => {
    const limits = new RateLimits({ policy: SMALL, now: clock().read })
    for (let i = 0; i < 5; i++)
      expect(limits.consumeMethod('test.limited', call({ did: undefined }))).toBeUndefined()
    expect(limits.consumeMethod('test.unlimited', call())).toBeUndefined()
  })

  test('recognises only the configured bypass key', () => {
    const limits = new RateLimits({ policy: SMALL, bypassKey: 'operator-bypass-key' })
    expect(limits.bypasses('operator-bypass-key')).toBe(true)
    expect(limits.bypasses('operator-bypass-ke')).toBe(false)
    expect(limits.bypasses(null)).toBe(false)
    expect(new RateLimits({ policy: SMALL }).bypasses('operator-bypass-key')).toBe(false)
  })

  test('reports the tightest of several rules', () => {
    const limits = new RateLimits({ now: clock().read })
    const body = { identifier: 'Alice.Test', password: 'x' }
    const status = limits.consumeMethod('com.atproto.server.createSession', call({ body }))
    expect(status).toMatchObject({ limit: 30, remaining: 29, windowMs: 5 * MINUTE })
    expect(rateLimitHeaders(status!)['RateLimit-Policy']).toBe('30;w=300')
  })

  test('keys createSession by the case-folded identifier and the IP', () => {
    const limits = new RateLimits({ now: clock().read })
    const attempt = (identifier: string, ip = '198.51.100.1') =>
      limits.consumeMethod('com.atproto.server.createSession', call({ ip, body: { identifier } }))
    for (let i = 0; i < 30; i++) attempt(i % 2 ? 'alice.test' : 'ALICE.test')
    expect(refusal(() => attempt('alice.test')).status).toBe(429)
    expect(attempt('alice.test', '198.51.100.9')?.remaining).toBe(29)
    expect(attempt('bob.test')?.remaining).toBe(29)
  })

  test('refuses rules that share a bucket but disagree on its limits', () => {
    const policy: RateLimitPolicy = {
      ...SMALL,
      methods: new Map([['test.a', [{ name: 'global', durationMs: HOUR, points: 2, key: byIp }]]]),
    }
    expect(() => new RateLimits({ policy })).toThrow('must have the same limits')
  })
})

describe('the reference policy', () => {
  const rules = (nsid: string) =>
    (REFERENCE_POLICY.methods.get(nsid) ?? []).map((r) => [r.points, r.durationMs, r.name])

  test('limits every call per IP to 3000 in 5 minutes, except sync.getRepo', () => {
    expect([REFERENCE_POLICY.global.points, REFERENCE_POLICY.global.durationMs]).toEqual([3000, 5 * MINUTE])
    expect([...REFERENCE_POLICY.globalExempt]).toEqual(['com.atproto.sync.getRepo'])
    expect(rules('com.atproto.sync.getRepo')).toEqual([[6000, 5 * MINUTE, 'sync-get-repo-ip']])
  })

  const table: [string, [number, number][]][] = [
    [
      'com.atproto.server.createSession',
      [
        [300, DAY],
        [30, 5 * MINUTE],
      ],
    ],
    ['com.atproto.server.createAccount', [[100, 5 * MINUTE]]],
    ['com.atproto.server.deleteAccount', [[50, 5 * MINUTE]]],
    ['com.atproto.server.resetPassword', [[50, 5 * MINUTE]]],
    [
      'com.atproto.server.requestPasswordReset',
      [
        [50, DAY],
        [15, HOUR],
      ],
    ],
    [
      'com.atproto.server.requestEmailConfirmation',
      [
        [15, DAY],
        [5, HOUR],
      ],
    ],
    [
      'com.atproto.server.requestEmailUpdate',
      [
        [15, DAY],
        [5, HOUR],
      ],
    ],
    [
      'com.atproto.server.requestAccountDelete',
      [
        [15, DAY],
        [5, HOUR],
      ],
    ],
    [
      'com.atproto.identity.updateHandle',
      [
        [10, 5 * MINUTE],
        [50, DAY],
      ],
    ],
    ['com.atproto.repo.uploadBlob', [[1000, DAY]]],
    [
      'com.atproto.repo.createRecord',
      [
        [5000, HOUR],
        [35_000, DAY],
      ],
    ],
    [
      'com.atproto.repo.putRecord',
      [
        [5000, HOUR],
        [35_000, DAY],
      ],
    ],
    [
      'com.atproto.repo.deleteRecord',
      [
        [5000, HOUR],
        [35_000, DAY],
      ],
    ],
    [
      'com.atproto.repo.applyWrites',
      [
        [5000, HOUR],
        [35_000, DAY],
      ],
    ],
  ]
  for (const [nsid, expected] of table) {
    test(`limits ${nsid} as the reference does`, () => {
      expect(rules(nsid).map(([points, duration]) => [points, duration])).toEqual(expected)
    })
  }

  test('charges repo writes create 3, update 2, delete 1 points from one shared bucket per account', () => {
    const c = clock()
    const limits = new RateLimits({ now: c.read })
    const write = (nsid: string, body?: unknown) => limits.consumeMethod(nsid, call({ body }))?.remaining
    expect(write('com.atproto.repo.createRecord')).toBe(4997)
    expect(write('com.atproto.repo.putRecord')).toBe(4995)
    expect(write('com.atproto.repo.deleteRecord')).toBe(4994)
    const writes = ['create', 'update', 'delete', 'create'].map((op) => ({
      $type: `com.atproto.repo.applyWrites#${op}`,
    }))
    expect(write('com.atproto.repo.applyWrites', { writes })).toBe(4985)
    expect(applyWritesPoints(call({ body: { writes } }))).toBe(9)
  })

  test('refuses repo writes once an account has spent its hourly points', () => {
    const limits = new RateLimits({ now: clock().read })
    const writes = Array.from({ length: 200 }, () => ({ $type: 'com.atproto.repo.applyWrites#create' }))
    for (let i = 0; i < 8; i++)
      limits.consumeMethod('com.atproto.repo.applyWrites', call({ body: { writes } }))
    const err = refusal(() =>
      limits.consumeMethod('com.atproto.repo.applyWrites', call({ body: { writes } })),
    )
    expect(err.headers?.['RateLimit-Policy']).toBe('5000;w=3600')
  })
})
