/**
 * The service proxy: AppView, chat, moderation and any service named in an atproto-proxy
 * header, reached through this server with service auth and read-after-write (docs/PROXY.md).
 * One ProxyService per context (its stats and caches are shared by every request).
 */
import { VERSION } from '../../lib/version.ts'
import { LocalRecordStore } from '../../storage/proxy/local-records.ts'
import type { AppContext } from '../context.ts'
import { createSafeFetch, isLoopbackOrigin } from '../outbound/index.ts'
import { serviceDid } from '../server-info.ts'
import { ProxyService } from './service.ts'

export { type ProxyAnswer, UPSTREAM_LAG_HEADER } from './read-after-write.ts'
export { type ProxyCall, type ProxyCaller, ProxyService, type ProxyServiceOptions } from './service.ts'
export { type ProxyCallRecord, ProxyStats, type ProxyStatsEntry } from './stats.ts'
export { type ConfiguredServices, type ProxyTarget, parseProxyHeader, SERVICE_IDS } from './target.ts'
export { UpstreamTimeoutError } from './upstream.ts'

const services = new WeakMap<AppContext, ProxyService>()

/** The context's proxy service, built on first use. */
export function proxyFor(ctx: AppContext): ProxyService {
  let proxy = services.get(ctx)
  if (proxy === undefined) {
    proxy = createProxyService(ctx)
    services.set(ctx, proxy)
  }
  return proxy
}

function createProxyService(ctx: AppContext): ProxyService {
  const { config } = ctx
  const userAgent = `perlsky/${VERSION}`
  return new ProxyService({
    services: {
      appview: { url: config.bsky_appview_url, did: config.bsky_appview_did },
      chat: { url: config.chat_service_url, did: config.chat_service_did },
      report: { url: config.report_service_url, did: config.report_service_did },
    },
    baseUrl: config.base_url,
    selfDid: serviceDid(config),
    timeoutMs: config.proxy_timeout_ms,
    bodyLimit: config.blob_upload_limit,
    userAgent,
    dids: ctx.identity.dids,
    // Services named by clients: public addresses only, unless this server itself is local.
    guardedFetch: createSafeFetch({
      allowPrivate: isLoopbackOrigin(config.base_url),
      timeoutMs: config.proxy_timeout_ms,
      maxBytes: Number.MAX_SAFE_INTEGER,
      userAgent,
    }),
    signingKey: (did) => ctx.accounts.signingKey(did),
    handle: (did) => ctx.accounts.getAccount(did)?.handle,
    repoRev: (did) => ctx.repo.getRoot(did)?.rev,
    store: new LocalRecordStore(ctx.db),
    logger: ctx.logger,
  })
}
