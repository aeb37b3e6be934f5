/**
 * Which XRPC calls are limited, how much, and by what key: the values the reference PDS applies
 * (bluesky-social/atproto packages/pds: the `rateLimits` of its XRPC server and the `rateLimit`
 * of each method), in one table so they can be checked against it at a glance.
 *
 *   every call but sync.getRepo      3000 / 5 min per IP (global)
 *   sync.getRepo                     6000 / 5 min per IP
 *   server.createSession             300 / day and 30 / 5 min per identifier + IP
 *   server.createAccount             100 / 5 min per IP
 *   server.deleteAccount             50 / 5 min per IP
 *   server.resetPassword             50 / 5 min per IP
 *   server.requestPasswordReset      50 / day and 15 / hour per IP
 *   server.requestEmailConfirmation, requestEmailUpdate, requestAccountDelete
 *                                    15 / day and 5 / hour per account, each
 *   identity.updateHandle            10 / 5 min and 50 / day per account
 *   repo.uploadBlob                  1000 / day per IP
 *   repo writes (shared buckets)     5000 / hour and 35000 / day per account, in points:
 *                                    create 3, update 2, delete 1 (applyWrites: the sum)
 *
 * Rules with the same name share one bucket (the repo-write buckets); their limits must agree.
 */
import { ids } from '../../../lexicons/ids.ts'

/** What a rule may key and weigh a call by. */
export interface LimitedCall {
  /** The client's IP address (through the trusted reverse proxy). */
  readonly ip: string
  /** The account the call authenticated as, if any. */
  readonly did: string | undefined
  /** The validated JSON body, if the method takes one. */
  readonly body: unknown
}

export interface RateLimitRule {
  /** Names the bucket; rules sharing a name share its windows. */
  readonly name: string
  readonly durationMs: number
  /** Points a key may consume per window. */
  readonly points: number
  /** The bucket key of a call; undefined leaves the call out of this rule. */
  readonly key: (call: LimitedCall) => string | undefined
  /** Points the call costs (default 1). */
  readonly cost?: (call: LimitedCall) => number
}

export interface RateLimitPolicy {
  /** Counted for every XRPC call, before anything else is looked at. */
  readonly global: RateLimitRule
  /** Methods the global rule leaves out (they have their own). */
  readonly globalExempt: ReadonlySet<string>
  /** Each method's own rules, applied after auth and input on top of the global one. */
  readonly methods: ReadonlyMap<string, readonly RateLimitRule[]>
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export const byIp = (call: LimitedCall): string => call.ip
export const byAccount = (call: LimitedCall): string | undefined => call.did

/** createSession: the identifier as typed (case-folded) with the IP, as the reference keys it. */
function byIdentifierAndIp(call: LimitedCall): string | undefined {
  const identifier = stringField(call.body, 'identifier')
  return identifier === undefined ? undefined : `${identifier.toLowerCase()} ${call.ip}`
}

const WRITE_POINTS: Readonly<Record<string, number>> = {
  'com.atproto.repo.applyWrites#create': 3,
  'com.atproto.repo.applyWrites#update': 2,
  'com.atproto.repo.applyWrites#delete': 1,
}

/** applyWrites: the sum over its writes (create 3, update 2, delete 1). */
export function applyWritesPoints(call: LimitedCall): number {
  const writes = (call.body as { writes?: unknown } | null)?.writes
  if (!Array.isArray(writes)) return 1
  let points = 0
  for (const write of writes) points += WRITE_POINTS[stringField(write, '$type') ?? ''] ?? 1
  return points
}

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const field = (value as Record<string, unknown>)[name]
  return typeof field === 'string' ? field : undefined
}

function rule(
  name: string,
  durationMs: number,
  points: number,
  key: RateLimitRule['key'] = byIp,
  cost?: RateLimitRule['cost'],
): RateLimitRule {
  return cost === undefined ? { name, durationMs, points, key } : { name, durationMs, points, key, cost }
}

function repoWrite(cost: (call: LimitedCall) => number): RateLimitRule[] {
  return [
    rule('repo-write-hour', HOUR, 5000, byAccount, cost),
    rule('repo-write-day', DAY, 35_000, byAccount, cost),
  ]
}

/** Methods that send email: 15 a day and 5 an hour per account, each method on its own. */
function emailSending(nsid: string): [string, RateLimitRule[]] {
  return [nsid, [rule(`${nsid}:day`, DAY, 15, byAccount), rule(`${nsid}:hour`, HOUR, 5, byAccount)]]
}

export const REFERENCE_POLICY: RateLimitPolicy = {
  global: rule('global-ip', 5 * MINUTE, 3000),
  globalExempt: new Set([ids.ComAtprotoSyncGetRepo]),
  methods: new Map<string, RateLimitRule[]>([
    [ids.ComAtprotoSyncGetRepo, [rule('sync-get-repo-ip', 5 * MINUTE, 6000)]],
    [
      ids.ComAtprotoServerCreateSession,
      [
        rule('createSession:day', DAY, 300, byIdentifierAndIp),
        rule('createSession:5min', 5 * MINUTE, 30, byIdentifierAndIp),
      ],
    ],
    [ids.ComAtprotoServerCreateAccount, [rule('createAccount', 5 * MINUTE, 100)]],
    [ids.ComAtprotoServerDeleteAccount, [rule('deleteAccount', 5 * MINUTE, 50)]],
    [ids.ComAtprotoServerResetPassword, [rule('resetPassword', 5 * MINUTE, 50)]],
    [
      ids.ComAtprotoServerRequestPasswordReset,
      [rule('requestPasswordReset:day', DAY, 50), rule('requestPasswordReset:hour', HOUR, 15)],
    ],
    emailSending(ids.ComAtprotoServerRequestEmailConfirmation),
    emailSending(ids.ComAtprotoServerRequestEmailUpdate),
    emailSending(ids.ComAtprotoServerRequestAccountDelete),
    [
      ids.ComAtprotoIdentityUpdateHandle,
      [rule('updateHandle:5min', 5 * MINUTE, 10, byAccount), rule('updateHandle:day', DAY, 50, byAccount)],
    ],
    [ids.ComAtprotoRepoUploadBlob, [rule('uploadBlob', DAY, 1000)]],
    [ids.ComAtprotoRepoCreateRecord, repoWrite(() => 3)],
    [ids.ComAtprotoRepoPutRecord, repoWrite(() => 2)],
    [ids.ComAtprotoRepoDeleteRecord, repoWrite(() => 1)],
    [ids.ComAtprotoRepoApplyWrites, repoWrite(applyWritesPoints)],
  ]),
}
