/**
 * The account's own records the AppView has not seen yet: posts and the profile written after
 * the revision the AppView reports (`atproto-repo-rev`), decoded to their JSON form. As the
 * reference, at most a few of them (the oldest first), and nothing at all when the AppView's
 * revision predates every record here (an account that moved in from another PDS).
 * `indexedAt` is the time of the revision that wrote the record: revisions are TIDs.
 */
import { ids } from '../../../lexicons/ids.ts'
import { decodeCbor } from '../../core/cbor.ts'
import { lexToJson } from '../../core/data-model.ts'
import { isValidTid, tidToTimestampMicros } from '../../core/tid-clock.ts'
import type { LocalRecordRow, LocalRecordStore } from '../../storage/proxy/local-records.ts'

export type JsonMap = Record<string, unknown>

export interface RecordDescript {
  uri: string
  cid: string
  indexedAt: string
  /** The record in its JSON form (`{$link}` for CIDs). */
  record: JsonMap
}

export interface LocalRecords {
  count: number
  profile: RecordDescript | null
  posts: RecordDescript[]
}

/** The most posts patched into one answer (the reference's limit). */
export const RECORDS_SINCE_LIMIT = 10
const PROFILE_RKEY = 'self'

export const NO_LOCAL_RECORDS: LocalRecords = Object.freeze({ count: 0, profile: null, posts: [] })

export function recordsSinceRev(store: LocalRecordStore, did: string, rev: string): LocalRecords {
  const posts = store.since(did, ids.AppBskyFeedPost, rev, RECORDS_SINCE_LIMIT)
  const profile = store
    .since(did, ids.AppBskyActorProfile, rev, RECORDS_SINCE_LIMIT)
    .find((row) => row.rkey === PROFILE_RKEY)
  const count = posts.length + (profile === undefined ? 0 : 1)
  if (count === 0 || !store.hasRecordAtOrBefore(did, rev)) return NO_LOCAL_RECORDS
  return {
    count,
    profile: profile === undefined ? null : describe(did, ids.AppBskyActorProfile, profile),
    posts: posts.map((row) => describe(did, ids.AppBskyFeedPost, row)),
  }
}

/** The current profile record of the account, in its JSON form. */
export function currentProfile(store: LocalRecordStore, did: string): JsonMap | undefined {
  const row = store.get(did, ids.AppBskyActorProfile, PROFILE_RKEY)
  return row === undefined ? undefined : toJsonMap(row.bytes)
}

/** How long ago the oldest of these records was written, in milliseconds; undefined for none. */
export function localLag(local: LocalRecords, now: number = Date.now()): number | undefined {
  let oldest = local.profile?.indexedAt
  for (const post of local.posts) if (oldest === undefined || post.indexedAt < oldest) oldest = post.indexedAt
  return oldest === undefined ? undefined : Math.max(0, now - Date.parse(oldest))
}

function describe(did: string, collection: string, row: LocalRecordRow): RecordDescript {
  return {
    uri: `at://${did}/${collection}/${row.rkey}`,
    cid: row.cid.toString(),
    indexedAt: revTime(row.rev),
    record: toJsonMap(row.bytes),
  }
}

function toJsonMap(bytes: Uint8Array): JsonMap {
  return lexToJson(decodeCbor(bytes)) as JsonMap
}

function revTime(rev: string): string {
  const micros = isValidTid(rev) ? tidToTimestampMicros(rev) : Date.now() * 1000
  return new Date(Math.floor(micros / 1000)).toISOString()
}
