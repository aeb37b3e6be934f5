/**
 * Handle to DID (spec: handle "Handle Resolution"). The DNS TXT record `_atproto.<handle>`
 * (`did=<did>`) and `https://<handle>/.well-known/atproto-did` are tried in parallel; DNS wins
 * when it answers. DNS must yield exactly one distinct `did=` value; the well-known body is the DID
 * itself, trimmed, read under a small size limit. A handle that is malformed, under a reserved TLD,
 * or that neither method resolves gives undefined: this answers "which DID claims this handle",
 * and a caller must still check that the DID's document claims the handle back (identity.ts).
 * Found DIDs are cached briefly (cache.ts); misses are not cached.
 */
import { resolveTxt as systemResolveTxt } from 'node:dns/promises'
import { isValidDid } from '../../core/syntax/did.ts'
import { isServableHandle, normalizeHandle } from '../../core/syntax/handle.ts'
import { withDeadline } from '../../lib/deadline.ts'
import { type Logger, silentLogger } from '../../lib/logger.ts'
import type { SafeFetch } from '../outbound/safe-fetch.ts'
import { CachedLookup } from './cache.ts'
import type { ResolveOptions } from './did-resolver.ts'

/** node:dns `resolveTxt`: one array of character-string chunks per TXT record. */
export type ResolveTxtFn = (name: string) => Promise<string[][]>

export interface HandleResolverOptions {
  fetch: SafeFetch
  resolveTxt?: ResolveTxtFn
  timeoutMs?: number
  staleTtlMs?: number
  maxTtlMs?: number
  maxEntries?: number
  now?: () => number
  logger?: Logger
}

const MINUTE_MS = 60_000
const TXT_PREFIX = 'did='
const MAX_DNS_NAME_LENGTH = 253
/** A DID is at most 2048 characters; the spec tolerates a little whitespace around it. */
const MAX_WELL_KNOWN_BYTES = 2048 + 256

export class HandleResolver {
  private readonly cache: CachedLookup<string>
  private readonly resolveTxt: ResolveTxtFn
  private readonly timeoutMs: number
  private readonly logger: Logger

  constructor(private readonly opts: HandleResolverOptions) {
    this.resolveTxt = opts.resolveTxt ?? systemResolveTxt
    this.timeoutMs = opts.timeoutMs ?? 3000
    this.logger = opts.logger ?? silentLogger()
    this.cache = new CachedLookup((handle) => this.lookup(handle), {
      staleTtlMs: opts.staleTtlMs ?? 10 * MINUTE_MS,
      maxTtlMs: opts.maxTtlMs ?? 60 * MINUTE_MS,
      maxEntries: opts.maxEntries ?? 10_000,
      now: opts.now ?? Date.now,
      logger: this.logger,
    })
  }

  /** The DID the handle points to, or undefined. */
  async resolve(handle: string, opts: ResolveOptions = {}): Promise<string | undefined> {
    if (!isServableHandle(handle)) return undefined
    return (await this.cache.get(normalizeHandle(handle), opts.forceRefresh)) ?? undefined
  }

  /** Drops a cached result (after this server changed the handle). */
  invalidate(handle: string): void {
    this.cache.invalidate(normalizeHandle(handle))
  }

  settled(): Promise<void> {
    return this.cache.settled()
  }

  private async lookup(handle: string): Promise<string | null> {
    const http = new AbortController()
    const viaHttp = this.resolveHttp(handle, http.signal)
    const viaDns = await this.resolveDns(handle)
    if (viaDns !== undefined) {
      http.abort()
      await viaHttp
      return viaDns
    }
    return (await viaHttp) ?? null
  }

  private async resolveDns(handle: string): Promise<string | undefined> {
    const name = `_atproto.${handle}`
    if (name.length > MAX_DNS_NAME_LENGTH) return undefined
    let records: string[][]
    try {
      records = await withDeadline(this.resolveTxt(name), this.timeoutMs)
    } catch (err) {
      this.logger.debug('handle DNS lookup failed', { handle, error: errorMessage(err) })
      return undefined
    }
    return didFromTxtRecords(records)
  }

  private async resolveHttp(handle: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const res = await this.opts.fetch(`https://${handle}/.well-known/atproto-did`, {
        signal,
        timeoutMs: this.timeoutMs,
        maxBytes: MAX_WELL_KNOWN_BYTES,
      })
      if (!res.ok) {
        await res.body?.cancel()
        return undefined
      }
      const did = (await res.text()).trim()
      return isValidDid(did) ? did : undefined
    } catch (err) {
      if (!signal.aborted)
        this.logger.debug('handle well-known lookup failed', { handle, error: errorMessage(err) })
      return undefined
    }
  }
}

/** The DID of the TXT records: exactly one distinct `did=` value, which must be a valid DID. */
export function didFromTxtRecords(records: readonly (readonly string[])[]): string | undefined {
  const values = new Set<string>()
  for (const chunks of records) {
    const text = chunks.join('')
    if (text.startsWith(TXT_PREFIX)) values.add(text.slice(TXT_PREFIX.length))
  }
  if (values.size !== 1) return undefined
  const [did] = values
  return did !== undefined && isValidDid(did) ? did : undefined
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
