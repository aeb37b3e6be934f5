/**
 * Resolves permission-set lexicons for `include:` scopes (permission.md "Resolution and Caching";
 * lexicon.md "Lexicon Publication and Resolution"):
 *   NSID → DNS TXT `_lexicon.<authority>` (`did=…`, no walking up or down the DNS tree) → DID
 *   document (PDS and signing key) → `com.atproto.sync.getRecord` for the
 *   `com.atproto.lexicon.schema` record named by the NSID → the CAR's commit signature and MST
 *   path are verified, so the schema is authenticated by the publishing account's key.
 * Cache: one hour fresh, then served while refreshed in the background (a failed refresh keeps
 * the old schema), forgotten after 90 days; a set that was never resolved fails the request.
 */
import { resolveTxt as systemResolveTxt } from 'node:dns/promises'
import { readBlock } from '../../core/block-reader.ts'
import { decodeCar, singleRoot } from '../../core/car-reader.ts'
import { decodeCbor } from '../../core/cbor.ts'
import { verifySignature } from '../../core/crypto/verify.ts'
import { lexToJson } from '../../core/data-model.ts'
import { Mst } from '../../core/mst/index.ts'
import { decodeCommit, verifyCommitSignature } from '../../core/repo/commit.ts'
import type { Nsid } from '../../core/syntax/nsid.ts'
import { withDeadline } from '../../lib/deadline.ts'
import { type Logger, silentLogger } from '../../lib/logger.ts'
import { CachedLookup } from '../identity/cache.ts'
import type { DidResolver } from '../identity/did-resolver.ts'
import { didFromTxtRecords, type ResolveTxtFn } from '../identity/handle-resolver.ts'
import type { SafeFetch } from '../outbound/safe-fetch.ts'

export const LEXICON_SCHEMA_COLLECTION = 'com.atproto.lexicon.schema'

export class PermissionSetResolutionError extends Error {
  override name = 'PermissionSetResolutionError'
}

export interface PermissionSetResolverOptions {
  fetch: SafeFetch
  dids: DidResolver
  resolveTxt?: ResolveTxtFn
  now?: () => number
  logger?: Logger
}

const HOUR_MS = 3_600_000
const FETCH_TIMEOUT_MS = 5000
const MAX_CAR_BYTES = 1024 * 1024
const DNS_TIMEOUT_MS = 3000

export class PermissionSetResolver {
  private readonly cache: CachedLookup<unknown>
  private readonly resolveTxt: ResolveTxtFn

  constructor(private readonly opts: PermissionSetResolverOptions) {
    this.resolveTxt = opts.resolveTxt ?? systemResolveTxt
    this.cache = new CachedLookup((nsid) => this.lookup(nsid), {
      staleTtlMs: HOUR_MS,
      maxTtlMs: 90 * 24 * HOUR_MS,
      maxEntries: 1000,
      now: opts.now ?? Date.now,
      logger: opts.logger ?? silentLogger(),
    })
  }

  /** The lexicon document of `nsid` (not yet checked to be a permission set). */
  async resolve(nsid: Nsid): Promise<unknown> {
    const doc = await this.cache.get(nsid)
    if (doc === null) throw new PermissionSetResolutionError(`no lexicon is published for ${nsid}`)
    return doc
  }

  private async lookup(nsid: string): Promise<unknown> {
    const did = await this.authorityDid(nsid)
    const data = await this.opts.dids.resolveAtprotoData(did).catch((err: Error) => {
      throw new PermissionSetResolutionError(
        `the DID ${did} publishing ${nsid} cannot be resolved: ${err.message}`,
      )
    })
    if (data.pds === undefined) throw new PermissionSetResolutionError(`${did} has no PDS`)
    const car = await this.fetchRecordCar(data.pds, did, nsid)
    return verifiedRecord(car, did, data.signingKey, nsid)
  }

  /** `app.example.feed.authSet` → `_lexicon.feed.example.app` → `did=…`. */
  private async authorityDid(nsid: string): Promise<string> {
    const authority = nsid.split('.').slice(0, -1).reverse().join('.')
    let records: string[][]
    try {
      records = await withDeadline(this.resolveTxt(`_lexicon.${authority}`), DNS_TIMEOUT_MS)
    } catch (err) {
      throw new PermissionSetResolutionError(
        `_lexicon.${authority} cannot be resolved: ${(err as Error).message}`,
      )
    }
    const did = didFromTxtRecords(records)
    if (did === undefined) throw new PermissionSetResolutionError(`_lexicon.${authority} names no single DID`)
    return did
  }

  private async fetchRecordCar(pds: string, did: string, nsid: string): Promise<Uint8Array> {
    const url = new URL('/xrpc/com.atproto.sync.getRecord', pds)
    url.search = new URLSearchParams({ did, collection: LEXICON_SCHEMA_COLLECTION, rkey: nsid }).toString()
    try {
      const res = await this.opts.fetch(url, {
        headers: { accept: 'application/vnd.ipld.car' },
        redirect: 'error',
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBytes: MAX_CAR_BYTES,
      })
      if (res.status !== 200) {
        await res.body?.cancel()
        throw new Error(`HTTP ${res.status}`)
      }
      return new Uint8Array(await res.arrayBuffer())
    } catch (err) {
      throw new PermissionSetResolutionError(
        `fetching the lexicon ${nsid} from ${pds} failed: ${(err as Error).message}`,
      )
    }
  }
}

/** The record in `car`, after checking the commit's signer and the record's MST path. */
function verifiedRecord(car: Uint8Array, did: string, signingKey: string, nsid: string): unknown {
  try {
    const { roots, blocks } = decodeCar(car)
    const commitCid = singleRoot(roots)
    const commit = decodeCommit(readBlock(blocks, commitCid))
    if (commit.did !== did) throw new Error(`the commit is for ${commit.did}`)
    if (!verifyCommitSignature(commit, (msg, sig) => verifySignature(signingKey, msg, sig))) {
      throw new Error('the commit signature does not verify')
    }
    const recordCid = Mst.load(blocks, commit.data).get(`${LEXICON_SCHEMA_COLLECTION}/${nsid}`)
    if (recordCid === null) throw new Error('the record is not in the repository')
    const record = lexToJson(decodeCbor(readBlock(blocks, recordCid))) as Record<string, unknown>
    const { $type, ...doc } = record
    if ($type !== LEXICON_SCHEMA_COLLECTION) throw new Error(`the record type is ${String($type)}`)
    return doc
  } catch (err) {
    if (err instanceof PermissionSetResolutionError) throw err
    throw new PermissionSetResolutionError(
      `the lexicon ${nsid} of ${did} does not verify: ${(err as Error).message}`,
    )
  }
}
