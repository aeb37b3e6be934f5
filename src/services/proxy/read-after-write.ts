/**
 * Read-after-write (as the reference PDS): an AppView answer for the account's own data may lag
 * behind what the account just wrote. The AppView says how far it has read the account's repo in
 * `atproto-repo-rev`; when our repo is ahead of that, the answer is read (up to 10 MB; a larger
 * one passes untouched), the account's posts and profile written since are patched in
 * (munge.ts, thread.ts), and `Atproto-Upstream-Lag` tells the client how far behind (ms) the
 * AppView is. Anything unexpected (not JSON, not decodable, a failing munge) leaves the answer
 * as it came; the one cost is that it was buffered.
 */
import { ids } from '../../../lexicons/ids.ts'
import type { Logger } from '../../lib/logger.ts'
import type { LocalRecordStore } from '../../storage/proxy/local-records.ts'
import { decodeContent, isJsonContentType, readUpTo } from './body.ts'
import { type JsonMap, type LocalRecords, localLag, recordsSinceRev } from './local-records.ts'
import { type AppviewQuery, asMap, type LocalViewer } from './local-viewer.ts'
import { MUNGES } from './munge.ts'
import { threadFromLocalPosts } from './thread.ts'

export type ProxyAnswer =
  | {
      kind: 'upstream'
      status: number
      headers: Headers
      body: ReadableStream<Uint8Array> | Uint8Array | null
    }
  | { kind: 'json'; status: number; headers: Headers; body: JsonMap }

export interface ReadAfterWriteDeps {
  store: LocalRecordStore
  /** The account's current repo revision. */
  repoRev(did: string): string | undefined
  viewer(did: string): LocalViewer
  appview(did: string): AppviewQuery
  logger: Logger
  /** Largest answer read for patching; default 10 MB. */
  maxBufferBytes?: number
}

export const UPSTREAM_LAG_HEADER = 'Atproto-Upstream-Lag'
const REPO_REV_HEADER = 'atproto-repo-rev'
const DEFAULT_MAX_BUFFER = 10 * 1024 * 1024
/** Headers describing the upstream bytes, which no longer apply to a patched answer. */
const STALE_HEADERS = ['content-type', 'content-encoding', 'content-length', 'etag', 'last-modified']

type Upstream = Extract<ProxyAnswer, { kind: 'upstream' }>

export class ReadAfterWrite {
  private readonly maxBuffer: number

  constructor(private readonly deps: ReadAfterWriteDeps) {
    this.maxBuffer = deps.maxBufferBytes ?? DEFAULT_MAX_BUFFER
  }

  applies(nsid: string): boolean {
    return MUNGES.has(nsid)
  }

  async apply(nsid: string, did: string, answer: Upstream, query: URLSearchParams): Promise<ProxyAnswer> {
    const rev = answer.headers.get(REPO_REV_HEADER)
    const localRev = this.deps.repoRev(did)
    if (rev === null || localRev === undefined || localRev <= rev) return answer
    const notFound = nsid === ids.AppBskyFeedGetPostThread && answer.status === 400
    if (
      (answer.status !== 200 && !notFound) ||
      isJsonContentType(answer.headers.get('content-type')) === false
    ) {
      return answer
    }
    const read = await this.read(answer)
    if (read.json === undefined) return read.answer
    try {
      const patched = notFound
        ? await this.threadNotFound(did, rev, read.json, query)
        : await this.munge(nsid, did, rev, read.json)
      return patched === undefined ? read.answer : patchedAnswer(answer.headers, patched.body, patched.local)
    } catch (err) {
      this.deps.logger.warn('read-after-write patch failed', { nsid, did, err })
      return read.answer
    }
  }

  private async munge(nsid: string, did: string, rev: string, original: JsonMap) {
    const local = recordsSinceRev(this.deps.store, did, rev)
    const munge = MUNGES.get(nsid)
    if (local.count === 0 || munge === undefined) return undefined
    return { body: await munge(this.deps.viewer(did), original, local), local }
  }

  /** getPostThread answered NotFound: maybe it is the account's own post, too new for the AppView. */
  private async threadNotFound(did: string, rev: string, error: JsonMap, query: URLSearchParams) {
    const viewer = this.deps.viewer(did)
    const uri = ownUri(query.get('uri'), did, viewer.handle)
    if (error.error !== 'NotFound' || uri === undefined) return undefined
    const local = recordsSinceRev(this.deps.store, did, rev)
    const appview = this.deps.appview(did)
    const body = await threadFromLocalPosts(viewer, local.posts, uri, query.get('parentHeight'), appview)
    return body === undefined ? undefined : { body, local }
  }

  /** The answer's JSON when it fits and decodes, and the answer to send when it is left alone. */
  private async read(answer: Upstream): Promise<{ answer: Upstream; json?: JsonMap }> {
    if (answer.body === null) return { answer }
    let bytes: Uint8Array
    if (answer.body instanceof Uint8Array) bytes = answer.body
    else {
      const buffered = await readUpTo(answer.body, this.maxBuffer)
      if (!buffered.complete) return { answer: { ...answer, body: buffered.stream } }
      bytes = buffered.bytes
    }
    const kept: Upstream = { ...answer, body: bytes }
    const decoded = decodeContent(bytes, answer.headers.get('content-encoding'), this.maxBuffer)
    if (decoded === undefined) return { answer: kept }
    try {
      const json = asMap(JSON.parse(new TextDecoder().decode(decoded)))
      return json === undefined ? { answer: kept } : { answer: kept, json }
    } catch {
      return { answer: kept }
    }
  }
}

function patchedAnswer(upstream: Headers, body: JsonMap, local: LocalRecords): ProxyAnswer {
  const headers = new Headers(upstream)
  for (const name of STALE_HEADERS) headers.delete(name)
  const lag = localLag(local)
  if (lag !== undefined) headers.set(UPSTREAM_LAG_HEADER, String(lag))
  return { kind: 'json', status: 200, headers, body }
}

/** `uri` with the account's DID as authority, when it names one of the account's records. */
function ownUri(uri: string | null, did: string, handle: string): string | undefined {
  if (uri === null || !uri.startsWith('at://')) return undefined
  const rest = uri.slice('at://'.length)
  const slash = rest.indexOf('/')
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  if (authority === did) return uri
  if (authority.toLowerCase() !== handle.toLowerCase()) return undefined
  return `at://${did}${slash === -1 ? '' : rest.slice(slash)}`
}
