/**
 * The proxied methods whose service-auth token is not simply "this method, that service", as in
 * the reference PDS:
 * - app.bsky.feed.getFeed: the AppView hands the token on to the feed generator, so its audience
 *   is the generator's DID (from the feed's generator record, read on the AppView) and its method
 *   getFeedSkeleton. Generator DIDs are cached for a few minutes: feeds are paged often.
 * - app.bsky.notification.registerPush / unregisterPush: the body names the notification
 *   service by DID (`serviceDid`); the call goes to that DID's `#bsky_notif` endpoint, with the
 *   DID as audience.
 */
import { InvalidRequestError, UnsupportedMediaTypeError } from '../errors.ts'
import { limitStream } from './upstream.ts'

/** Reads a feed generator record on the AppView: its `value`, or undefined. */
export type GeneratorRecordLookup = (uri: {
  repo: string
  collection: string
  rkey: string
}) => Promise<unknown>

const FEED_DID_TTL_MS = 5 * 60_000
const FEED_DID_MAX_ENTRIES = 1000
/** registerPush bodies are a few hundred bytes of JSON. */
const PUSH_BODY_LIMIT = 64 * 1024

export class FeedGeneratorDids {
  private readonly cache = new Map<string, { did: string; expiresAt: number }>()

  constructor(
    private readonly lookup: GeneratorRecordLookup,
    private readonly now: () => number = Date.now,
  ) {}

  /** The DID of the feed generator behind the feed URI `at://<did>/app.bsky.feed.generator/<rkey>`. */
  async didOf(feed: string): Promise<string> {
    const cached = this.cache.get(feed)
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.did
    const [repo, collection, rkey] = feed.startsWith('at://') ? feed.slice(5).split('/') : []
    if (!repo || !collection || !rkey) throw new InvalidRequestError('invalid feed uri', 'UnknownFeed')
    const value = await this.lookup({ repo, collection, rkey }).catch(() => undefined)
    const did = (value as { did?: unknown } | undefined)?.did
    if (typeof did !== 'string') throw new InvalidRequestError('could not resolve feed did', 'UnknownFeed')
    if (this.cache.size >= FEED_DID_MAX_ENTRIES) this.cache.clear()
    this.cache.set(feed, { did, expiresAt: this.now() + FEED_DID_TTL_MS })
    return did
  }
}

/** The registerPush body as sent (to forward it unchanged) and the `serviceDid` it names. */
export async function readPushBody(
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
): Promise<{ bytes: Uint8Array; serviceDid: string }> {
  if (body === null) throw new InvalidRequestError('A request body is expected but none was provided')
  const coding = headers.get('content-encoding')
  if (coding !== null && coding.trim().toLowerCase() !== 'identity') {
    throw new UnsupportedMediaTypeError(`Unsupported Content-Encoding for this method: ${coding}`)
  }
  const bytes = await Bun.readableStreamToBytes(limitStream(body, PUSH_BODY_LIMIT))
  let serviceDid: unknown
  try {
    serviceDid = (JSON.parse(new TextDecoder().decode(bytes)) as { serviceDid?: unknown } | null)?.serviceDid
  } catch {
    throw new InvalidRequestError('Request body is not valid JSON')
  }
  if (typeof serviceDid !== 'string')
    throw new InvalidRequestError('Input must have the property "serviceDid"')
  return { bytes, serviceDid }
}
