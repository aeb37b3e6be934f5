/**
 * How read-after-write patches each AppView answer, as the reference PDS does:
 * - getProfile / getProfiles: the account's own profile view takes the newer profile record;
 * - getTimeline: the account's new posts are put into the feed by time;
 * - getAuthorFeed: on the account's own feed, its author views take the newer profile and the
 *   new posts are put in;
 * - getActorLikes and getFeed: the account's author views take the newer profile (a like list
 *   or a custom feed is not where one's new posts belong);
 * - getPostThread: see thread.ts.
 * Munges work on the parsed JSON and return a new answer; an answer that is not shaped as
 * expected is returned as it came.
 */
import { ids } from '../../../lexicons/ids.ts'
import type { JsonMap, LocalRecords } from './local-records.ts'
import { asMap, type LocalViewer, str } from './local-viewer.ts'
import { getPostThreadMunge } from './thread.ts'

export type Munge = (viewer: LocalViewer, original: JsonMap, local: LocalRecords) => Promise<JsonMap>

const getProfile: Munge = async (viewer, original, local) => {
  if (local.profile === null || original.did !== viewer.did) return original
  return viewer.updateProfileDetailed(original, local.profile.record)
}

const getProfiles: Munge = async (viewer, original, local) => {
  const profile = local.profile
  if (profile === null || !Array.isArray(original.profiles)) return original
  const profiles = original.profiles.map((view) => {
    const map = asMap(view)
    return map?.did === viewer.did ? viewer.updateProfileDetailed(map, profile.record) : view
  })
  return { ...original, profiles }
}

const getTimeline: Munge = async (viewer, original, local) => {
  if (!Array.isArray(original.feed)) return original
  return { ...original, feed: await viewer.insertPostsInFeed(original.feed, local.posts) }
}

const getAuthorFeed: Munge = async (viewer, original, local) => {
  if (!Array.isArray(original.feed) || !isOwnFeed(original.feed, viewer.did)) return original
  const feed = updateAuthorProfiles(viewer, original.feed, local)
  return { ...original, feed: await viewer.insertPostsInFeed(feed, local.posts) }
}

const updateProfilesInFeed: Munge = async (viewer, original, local) => {
  if (!Array.isArray(original.feed)) return original
  return { ...original, feed: updateAuthorProfiles(viewer, original.feed, local) }
}

export const MUNGES: ReadonlyMap<string, Munge> = new Map([
  [ids.AppBskyActorGetProfile, getProfile],
  [ids.AppBskyActorGetProfiles, getProfiles],
  [ids.AppBskyFeedGetTimeline, getTimeline],
  [ids.AppBskyFeedGetAuthorFeed, getAuthorFeed],
  [ids.AppBskyFeedGetActorLikes, updateProfilesInFeed],
  [ids.AppBskyFeedGetFeed, updateProfilesInFeed],
  [ids.AppBskyFeedGetPostThread, getPostThreadMunge],
])

/** The feed is the account's own when its first item is the account's post or repost. */
function isOwnFeed(feed: unknown[], did: string): boolean {
  const first = asMap(feed[0])
  if (first === undefined) return false
  const reason = asMap(first.reason)
  if (reason === undefined) return asMap(asMap(first.post)?.author)?.did === did
  return reason.$type === 'app.bsky.feed.defs#reasonRepost' && asMap(reason.by)?.did === did
}

function updateAuthorProfiles(viewer: LocalViewer, feed: unknown[], local: LocalRecords): unknown[] {
  const profile = local.profile
  if (profile === null) return feed
  return feed.map((item) => {
    const map = asMap(item)
    const post = asMap(map?.post)
    const author = asMap(post?.author)
    if (map === undefined || post === undefined || author === undefined || str(author.did) !== viewer.did) {
      return item
    }
    return { ...map, post: { ...post, author: viewer.updateProfileViewBasic(author, profile.record) } }
  })
}
