/**
 * The service proxy (docs/PROXY.md): XRPC calls this server does not answer itself are forwarded
 * to the service that does (target.ts), with a fresh service-auth token signed by the account's
 * key when the caller is signed in, and the answer handed back (read-after-write patched, see
 * read-after-write.ts). Policy, as the reference PDS: account-management methods are never
 * proxied, chat needs a full session or a privileged app password, OAuth tokens need the
 * matching `rpc:` permission. Anonymous calls may reach the operator's own services only: a
 * service named by the client is reached on behalf of a signed-in account (spec).
 */
import { ids } from '../../../lexicons/ids.ts'
import type { Keypair } from '../../core/crypto/keypair.ts'
import { INVALID_HANDLE } from '../../core/syntax/handle.ts'
import type { Logger } from '../../lib/logger.ts'
import type { LocalRecordStore } from '../../storage/proxy/local-records.ts'
import { isPrivilegedScope, PRIVILEGED_METHODS, PROTECTED_METHODS } from '../auth/method-policy.ts'
import type { AccessAuth } from '../auth/sessions.ts'
import { AuthRequiredError, InvalidRequestError, MethodNotImplementedError, XrpcError } from '../errors.ts'
import { createServiceJwt, type DidResolver } from '../identity/index.ts'
import { requireScope, type ScopedAuth } from '../oauth/require-scope.ts'
import type { SafeFetch } from '../outbound/index.ts'
import { AppviewReader } from './appview-reader.ts'
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts'
import { currentProfile } from './local-records.ts'
import { LocalViewer } from './local-viewer.ts'
import { type ProxyAnswer, ReadAfterWrite } from './read-after-write.ts'
import { FeedGeneratorDids, readPushBody } from './special-targets.ts'
import { ProxyStats } from './stats.ts'
import { type ConfiguredServices, type ProxyTarget, SERVICE_IDS, TargetResolver } from './target.ts'
import { UpstreamClient } from './upstream.ts'

export type ProxyCaller = AccessAuth & ScopedAuth

export interface ProxyCall {
  nsid: string
  /** The HTTP verb: GET, HEAD or POST. */
  verb: string
  /** The query string with its `?`, or empty. */
  search: string
  headers: Headers
  body: ReadableStream<Uint8Array> | null
  /** The verified caller, or null for an anonymous call. */
  auth: ProxyCaller | null
  signal?: AbortSignal | undefined
  logger?: Logger | undefined
}

export interface ProxyServiceOptions {
  services: ConfiguredServices
  baseUrl: string
  selfDid: string
  timeoutMs: number
  bodyLimit: number
  userAgent: string
  dids: Pick<DidResolver, 'resolve'>
  guardedFetch: SafeFetch
  signingKey(did: string): Keypair
  handle(did: string): string | undefined
  repoRev(did: string): string | undefined
  store: LocalRecordStore
  logger: Logger
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch
}

interface Plan {
  target: ProxyTarget
  lxm: string
  body: ReadableStream<Uint8Array> | Uint8Array | null
  /** getFeed: the feed whose generator is the token's audience. */
  feed?: string
}

const PUSH_METHODS: ReadonlySet<string> = new Set([
  ids.AppBskyNotificationRegisterPush,
  ids.AppBskyNotificationUnregisterPush,
])

export class ProxyService {
  readonly stats = new ProxyStats()
  private readonly targets: TargetResolver
  private readonly upstream: UpstreamClient
  private readonly appview: AppviewReader
  private readonly feeds: FeedGeneratorDids
  private readonly raw: ReadAfterWrite

  constructor(private readonly opts: ProxyServiceOptions) {
    this.targets = new TargetResolver({ services: opts.services, dids: opts.dids, selfDid: opts.selfDid })
    this.upstream = new UpstreamClient({
      timeoutMs: opts.timeoutMs,
      bodyLimit: opts.bodyLimit,
      guardedFetch: opts.guardedFetch,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    })
    const sign = (iss: string, aud: string, lxm: string) => this.serviceAuth(iss, aud, lxm)
    this.appview = new AppviewReader(this.upstream, this.targets.appview(), sign, opts.userAgent)
    this.feeds = new FeedGeneratorDids((uri) => this.appview.record(uri))
    this.raw = new ReadAfterWrite({
      store: opts.store,
      repoRev: opts.repoRev,
      viewer: (did) => this.viewer(did),
      appview: (did) => (nsid, params) => this.appview.query(did, nsid, params),
      logger: opts.logger,
    })
  }

  async forward(call: ProxyCall): Promise<ProxyAnswer> {
    checkMethodPolicy(call)
    const plan = await this.plan(call)
    requireScope(call.auth, { resource: 'rpc', lxm: call.nsid, aud: plan.target.serviceRef })
    if (plan.lxm !== call.nsid)
      requireScope(call.auth, { resource: 'rpc', lxm: plan.lxm, aud: plan.target.serviceRef })
    const started = performance.now()
    let status = 0
    try {
      const answer = await this.exchange(call, plan)
      status = answer.status
      return answer
    } catch (err) {
      status = err instanceof XrpcError ? err.status : 0
      throw err
    } finally {
      this.record(call, plan.target, status, performance.now() - started)
    }
  }

  private async exchange(call: ProxyCall, plan: Plan): Promise<ProxyAnswer> {
    let authorization: string | undefined
    if (call.auth !== null) {
      const aud = plan.feed === undefined ? plan.target.aud : await this.feeds.didOf(plan.feed)
      authorization = `Bearer ${this.serviceAuth(call.auth.did, aud, plan.lxm)}`
    }
    const response = await this.upstream.send({
      target: plan.target,
      path: `/xrpc/${call.nsid}${call.search}`,
      method: call.verb,
      headers: upstreamRequestHeaders(call.headers, {
        hasBody: plan.body !== null,
        authorization,
        userAgent: this.opts.userAgent,
      }),
      body: plan.body,
      signal: call.signal,
    })
    // An upstream 500 is not ours: the client sees 502, with the upstream's error body.
    const status = response.status === 500 ? 502 : response.status
    const answer: ProxyAnswer = {
      kind: 'upstream',
      status,
      headers: clientResponseHeaders(response.headers),
      body: call.verb === 'HEAD' ? null : response.body,
    }
    if (call.auth === null || !this.raw.applies(call.nsid)) return answer
    return this.raw.apply(call.nsid, call.auth.did, answer, new URLSearchParams(call.search))
  }

  private async plan(call: ProxyCall): Promise<Plan> {
    if (PUSH_METHODS.has(call.nsid)) {
      if (call.auth === null) throw new AuthRequiredError(undefined, 'AuthMissing')
      const { bytes, serviceDid } = await readPushBody(call.headers, call.body)
      const target = await this.targets.byDid(serviceDid, SERVICE_IDS.notifications)
      return { target, lxm: call.nsid, body: bytes }
    }
    const header = call.headers.get('atproto-proxy')
    const target = header === null ? this.targets.byNsid(call.nsid) : await this.targets.fromHeader(header)
    if (target === undefined) throw new MethodNotImplementedError()
    if (!target.trusted && call.auth === null) {
      throw new AuthRequiredError('Authentication is required to reach another service', 'AuthMissing')
    }
    const body = call.verb === 'POST' ? call.body : null
    if (call.nsid === ids.AppBskyFeedGetFeed && call.auth !== null) {
      const feed = new URLSearchParams(call.search).get('feed')
      if (feed === null) throw new InvalidRequestError('Params must have the property "feed"')
      return { target, lxm: ids.AppBskyFeedGetFeedSkeleton, body, feed }
    }
    return { target, lxm: call.nsid, body }
  }

  private serviceAuth(iss: string, aud: string, lxm: string): string {
    return createServiceJwt({ iss, aud, lxm, keypair: this.opts.signingKey(iss) })
  }

  private viewer(did: string): LocalViewer {
    return new LocalViewer({
      did,
      handle: this.opts.handle(did) ?? INVALID_HANDLE,
      profile: currentProfile(this.opts.store, did),
      baseUrl: this.opts.baseUrl,
      appview: (nsid, params) => this.appview.query(did, nsid, params),
    })
  }

  private record(call: ProxyCall, target: ProxyTarget, status: number, elapsed: number): void {
    const fields = {
      method: call.nsid,
      upstream: target.name,
      status,
      durationMs: Math.round(elapsed * 10) / 10,
    }
    this.stats.record(fields)
    const logger = call.logger ?? this.opts.logger
    if (status === 0 || status >= 500) logger.warn('proxied call failed', fields)
    else logger.debug('proxied call', fields)
  }
}

/** Account management never goes through the proxy; chat needs more than an app password. */
function checkMethodPolicy(call: ProxyCall): void {
  if (PROTECTED_METHODS.has(call.nsid)) throw new InvalidRequestError('Bad token method', 'InvalidToken')
  if (call.auth !== null && !isPrivilegedScope(call.auth.scope) && PRIVILEGED_METHODS.has(call.nsid)) {
    throw new InvalidRequestError('Bad token method', 'InvalidToken')
  }
}
