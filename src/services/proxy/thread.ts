/**
 * Read-after-write for app.bsky.feed.getPostThread, as the reference PDS does it:
 * - a thread the AppView returned gets the account's new replies inserted under their parents;
 * - a thread the AppView does not know yet (400 NotFound), when it is the account's own new
 *   post, is built from the local records, its parents fetched from the AppView.
 */
import { ids } from '../../../lexicons/ids.ts'
import type { JsonMap, RecordDescript } from './local-records.ts'
import { asMap, type LocalViewer, str } from './local-viewer.ts'
import type { Munge } from './munge.ts'

const THREAD_VIEW_POST = 'app.bsky.feed.defs#threadViewPost'

export const getPostThreadMunge: Munge = async (viewer, original, local) => {
  const thread = asMap(original.thread)
  if (thread === undefined || !isThreadViewPost(thread)) return original
  return { ...original, thread: await addPostsToThread(viewer, thread, local.posts) }
}

/**
 * The thread of the account's new post `uri` from local records alone, its parents (up to
 * `parentHeight`) from the AppView; undefined when `uri` is not among the new posts.
 */
export async function threadFromLocalPosts(
  viewer: LocalViewer,
  posts: RecordDescript[],
  uri: string,
  parentHeight: string | null,
  appview: (nsid: string, params: Record<string, string>) => Promise<unknown>,
): Promise<JsonMap | undefined> {
  const found = posts.find((post) => post.uri === uri)
  if (found === undefined) return undefined
  const others = posts.filter((post) => post !== found)
  const thread = await addPostsToThread(viewer, await threadView(viewer, found), others)
  const parentUri = replyRef(found.record, 'parent')
  if (parentUri !== undefined) {
    const params: Record<string, string> = { uri: parentUri, depth: '0' }
    if (parentHeight !== null) params.parentHeight = parentHeight
    const parent = asMap(await appview(ids.AppBskyFeedGetPostThread, params).catch(() => undefined))
    if (parent?.thread !== undefined) thread.parent = parent.thread
  }
  return { thread }
}

async function addPostsToThread(
  viewer: LocalViewer,
  thread: JsonMap,
  posts: RecordDescript[],
): Promise<JsonMap> {
  const rootOfThread = replyRef(asMap(asMap(thread.post)?.record), 'root')
  const threadUri = str(asMap(thread.post)?.uri)
  let out = thread
  for (const post of posts) {
    const root = replyRef(post.record, 'root')
    if (root === undefined || (root !== threadUri && root !== rootOfThread)) continue
    out = await insertIntoReplies(viewer, out, post)
  }
  return out
}

async function insertIntoReplies(viewer: LocalViewer, view: JsonMap, post: RecordDescript): Promise<JsonMap> {
  const replies = Array.isArray(view.replies) ? view.replies : undefined
  if (replyRef(post.record, 'parent') === str(asMap(view.post)?.uri)) {
    return { ...view, replies: [await threadView(viewer, post), ...(replies ?? [])] }
  }
  if (replies === undefined) return view
  const updated = await Promise.all(
    replies.map((reply) => {
      const map = asMap(reply)
      return map !== undefined && isThreadViewPost(map) ? insertIntoReplies(viewer, map, post) : reply
    }),
  )
  return { ...view, replies: updated }
}

async function threadView(viewer: LocalViewer, post: RecordDescript): Promise<JsonMap> {
  return { $type: THREAD_VIEW_POST, post: await viewer.postView(post) }
}

function isThreadViewPost(view: JsonMap): boolean {
  return view.$type === THREAD_VIEW_POST
}

function replyRef(record: JsonMap | undefined, which: 'root' | 'parent'): string | undefined {
  return str(asMap(asMap(record?.reply)?.[which])?.uri)
}
