/**
 * OAuth clients by `client_id` (oauth.md "Clients"): the loopback development client's virtual
 * metadata, or the metadata document fetched from the client_id URL through the SSRF-guarded
 * fetch: HTTP 200 only, no redirects, `application/json`, small and quick, then validated
 * (core/oauth/client-metadata.ts). Documents and confidential clients' `jwks_uri` key sets are
 * cached briefly (CACHE_*), short enough that a key removed by the client stops working within
 * minutes (spec: sessions must end when the client's key disappears).
 */
import { type ClientIdKind, loopbackClientMetadata, parseClientId } from '../../core/oauth/client-id.ts'
import { type ClientMetadata, validateClientMetadata } from '../../core/oauth/client-metadata.ts'
import { OAuthError } from '../../core/oauth/errors.ts'
import { type Logger, silentLogger } from '../../lib/logger.ts'
import { CachedLookup } from '../identity/cache.ts'
import type { SafeFetch } from '../outbound/safe-fetch.ts'

export interface OAuthClient {
  clientId: string
  kind: ClientIdKind['kind']
  metadata: ClientMetadata
  /** True for private_key_jwt clients. */
  confidential: boolean
}

export interface ClientResolverOptions {
  fetch: SafeFetch
  now?: () => number
  logger?: Logger
}

const CACHE_STALE_MS = 60_000
const CACHE_MAX_MS = 10 * 60_000
const CACHE_ENTRIES = 1000
const FETCH_TIMEOUT_MS = 5000
const MAX_DOCUMENT_BYTES = 64 * 1024

type JwkSet = { keys: Record<string, unknown>[] }

export class ClientResolver {
  private readonly documents: CachedLookup<unknown>
  private readonly keySets: CachedLookup<JwkSet>

  constructor(private readonly opts: ClientResolverOptions) {
    const cache = {
      staleTtlMs: CACHE_STALE_MS,
      maxTtlMs: CACHE_MAX_MS,
      maxEntries: CACHE_ENTRIES,
      now: opts.now ?? Date.now,
      logger: opts.logger ?? silentLogger(),
    }
    this.documents = new CachedLookup((url) => this.fetchJson(url, 'client metadata'), cache)
    this.keySets = new CachedLookup(async (url) => jwkSetOf(await this.fetchJson(url, 'client jwks')), cache)
  }

  /** Throws OAuthError invalid_client / invalid_client_metadata. */
  async resolve(clientId: string | null | undefined): Promise<OAuthClient> {
    if (!clientId) throw new OAuthError('invalid_request', 'client_id is required')
    const id = parseClientId(clientId)
    const metadata =
      id.kind === 'loopback'
        ? loopbackClientMetadata(clientId, id.url)
        : validateClientMetadata(clientId, await this.documents.get(clientId))
    return {
      clientId,
      kind: id.kind,
      metadata,
      confidential: metadata.token_endpoint_auth_method === 'private_key_jwt',
    }
  }

  /** The public keys of a confidential client. */
  async keys(client: OAuthClient): Promise<JwkSet> {
    const { jwks, jwks_uri: uri } = client.metadata
    if (jwks !== undefined) return jwks
    if (uri === undefined) throw new OAuthError('invalid_client', 'the client publishes no keys')
    const fetched = await this.keySets.get(uri)
    if (fetched === null) throw new OAuthError('invalid_client', 'the client jwks_uri could not be fetched')
    return fetched
  }

  private async fetchJson(url: string, what: string): Promise<unknown> {
    let res: Response
    try {
      res = await this.opts.fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBytes: MAX_DOCUMENT_BYTES,
      })
    } catch (err) {
      throw new OAuthError('invalid_client', `${what} could not be fetched: ${(err as Error).message}`)
    }
    const type = res.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase()
    if (res.status !== 200 || type !== 'application/json') {
      await res.body?.cancel()
      throw new OAuthError(
        'invalid_client',
        `${what} answered HTTP ${res.status} (${type ?? 'no content type'})`,
      )
    }
    try {
      return await res.json()
    } catch (err) {
      throw new OAuthError('invalid_client', `${what} is not valid JSON: ${(err as Error).message}`)
    }
  }
}

function jwkSetOf(json: unknown): JwkSet {
  const keys = (json as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null)) {
    throw new OAuthError('invalid_client', 'the client jwks_uri is not a JWK Set')
  }
  return { keys }
}
