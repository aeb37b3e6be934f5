/**
 * DID resolution for the two blessed methods (spec: did "Blessed DID Methods"):
 * did:plc from `<plc_url>/<did>`, did:web from `https://<host>/.well-known/did.json` (or
 * `/<path>/did.json` for path-based ones).
 * Documents are shape-checked and must carry the DID that was asked for; results are cached
 * (cache.ts; one hour fresh, a day at most, by default).
 * did:web URLs are built by did-web-url.ts (no port or reserved TLD; `did:web:localhost%3A<port>`
 * over plain http only when `allowLocalhostDidWeb` is set for development and tests).
 * All fetching goes through the SSRF-guarded fetch; redirects are refused, as the reference does.
 */

import { isDidPlc, isValidDid } from '../../core/syntax/did.ts'
import { type Logger, silentLogger } from '../../lib/logger.ts'
import type { SafeFetch } from '../outbound/safe-fetch.ts'
import { CachedLookup } from './cache.ts'
import {
  type DidDocument,
  getHandle,
  getPdsEndpoint,
  getVerificationKey,
  parseDidDocument,
} from './did-document.ts'
import { didWebUrl } from './did-web-url.ts'
import { DidDocumentError, DidNotFoundError, DidResolutionError, UnsupportedDidError } from './errors.ts'

export interface DidResolverOptions {
  plcUrl: string
  fetch: SafeFetch
  timeoutMs?: number
  maxDocumentBytes?: number
  staleTtlMs?: number
  maxTtlMs?: number
  maxEntries?: number
  /** Resolve did:web:localhost%3A<port> over http (development and tests only). */
  allowLocalhostDidWeb?: boolean
  now?: () => number
  logger?: Logger
}

export interface ResolveOptions {
  /** Skip the cache (key rotation suspected, or the identity was just changed). */
  forceRefresh?: boolean
}

/** What atproto needs from a DID document. `handle` is claimed, not verified. */
export interface AtprotoData {
  did: string
  signingKey: string
  handle?: string
  pds?: string
}

const HOUR_MS = 3_600_000
const DID_JSON_ACCEPT = 'application/did+ld+json, application/json'

export class DidResolver {
  private readonly cache: CachedLookup<DidDocument>
  private readonly plcUrl: string

  constructor(private readonly opts: DidResolverOptions) {
    this.plcUrl = opts.plcUrl.replace(/\/+$/, '')
    this.cache = new CachedLookup((did) => this.fetchDocument(did), {
      staleTtlMs: opts.staleTtlMs ?? HOUR_MS,
      maxTtlMs: opts.maxTtlMs ?? 24 * HOUR_MS,
      maxEntries: opts.maxEntries ?? 10_000,
      now: opts.now ?? Date.now,
      logger: opts.logger ?? silentLogger(),
    })
  }

  /** The current document, or null when the DID does not exist (or was deactivated). */
  async resolve(did: string, opts: ResolveOptions = {}): Promise<DidDocument | null> {
    this.documentUrl(did) // refuse unsupported DIDs before looking in the cache
    return this.cache.get(did, opts.forceRefresh)
  }

  /** The document's atproto signing key, claimed handle and PDS; throws when the DID is unusable. */
  async resolveAtprotoData(did: string, opts: ResolveOptions = {}): Promise<AtprotoData> {
    const doc = await this.resolve(did, opts)
    if (doc === null) throw new DidNotFoundError(did)
    const signingKey = getVerificationKey(doc)
    if (signingKey === undefined)
      throw new DidDocumentError(`the DID document of ${did} has no usable #atproto key`)
    const data: AtprotoData = { did, signingKey }
    const handle = getHandle(doc)
    const pds = getPdsEndpoint(doc)
    if (handle !== undefined) data.handle = handle
    if (pds !== undefined) data.pds = pds
    return data
  }

  /** Drops a cached document, e.g. right after this server published a PLC operation. */
  invalidate(did: string): void {
    this.cache.invalidate(did)
  }

  /** Resolves once background refreshes have finished. */
  settled(): Promise<void> {
    return this.cache.settled()
  }

  private documentUrl(did: string): URL {
    if (isDidPlc(did)) return new URL(`${this.plcUrl}/${encodeURIComponent(did)}`)
    if (!isValidDid(did)) throw new UnsupportedDidError(`invalid DID: ${JSON.stringify(did.slice(0, 100))}`)
    if (did.startsWith('did:web:')) return didWebUrl(did, this.opts.allowLocalhostDidWeb ?? false)
    throw new UnsupportedDidError(`unsupported DID method: ${did.slice(0, 100)}`)
  }

  private async fetchDocument(did: string): Promise<DidDocument | null> {
    let res: Response
    let json: unknown
    try {
      res = await this.opts.fetch(this.documentUrl(did), {
        headers: { accept: DID_JSON_ACCEPT },
        redirect: 'error',
        timeoutMs: this.opts.timeoutMs ?? 3000,
        maxBytes: this.opts.maxDocumentBytes ?? 64 * 1024,
      })
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel()
        return null
      }
      if (!res.ok) {
        await res.body?.cancel()
        throw new DidResolutionError(`resolving ${did} failed with HTTP ${res.status}`)
      }
      json = await res.json()
    } catch (err) {
      if (err instanceof DidResolutionError) throw err
      throw new DidResolutionError(`resolving ${did} failed: ${errorMessage(err)}`, { cause: err })
    }
    return parseDidDocument(did, json)
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
