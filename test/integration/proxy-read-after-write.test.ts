// Read-after-write through the proxy: the fake AppView answers as of an older revision of the
// account's repo (`atproto-repo-rev`), and the PDS patches in what the account wrote since.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type FakeService, startFakeService } from '../fakes/appview.ts'
import { type SignedUp, signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
let appview: FakeService
let alice: SignedUp

const OLD = '2020-01-01T00:00:00.000Z'
const STRANGER = 'did:plc:stranger0000000000000000'
const strangerPost = {
  uri: `at://${STRANGER}/app.bsky.feed.post/3kstranger22`,
  cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
  author: { did: STRANGER, handle: 'stranger.test' },
  record: { $type: 'app.bsky.feed.post', text: 'an old post', createdAt: OLD },
  indexedAt: OLD,
}

beforeAll(async () => {
  appview = await startFakeService({ services: { bsky_appview: 'BskyAppView' } })
  h = await startHarness({ config: { bsky_appview_url: appview.url, bsky_appview_did: appview.did } })
  alice = await signUp(h, 'alice')
  await putProfile({ displayName: 'Alice' })
})

afterAll(async () => {
  await h.stop()
  await appview.stop()
})

function rev(): string {
  return h.ctx.repo.getRoot(alice.did)!.rev
}

async function putProfile(profile: Record<string, unknown>) {
  await alice.agent.com.atproto.repo.putRecord({
    repo: alice.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', ...profile },
  })
}

async function post(record: Record<string, unknown>) {
  const { data } = await alice.agent.com.atproto.repo.createRecord({
    repo: alice.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString(), ...record },
  })
  return data
}

/** The AppView answers `nsid` with `body` as of revision `asOf`. */
function stale(nsid: string, body: unknown, asOf: string, status = 200) {
  appview.on(nsid, () => Response.json(body, { status, headers: { 'atproto-repo-rev': asOf } }))
}

describe('read-after-write', () => {
  test('a stale timeline gets the post the account just wrote, and the upstream lag', async () => {
    const before = rev()
    const fresh = await post({ text: 'just posted' })
    stale('app.bsky.feed.getTimeline', { feed: [{ post: strangerPost }] }, before)
    const res = await alice.agent.app.bsky.feed.getTimeline()
    expect(res.data.feed.map((item) => item.post.uri)).toEqual([fresh.uri, strangerPost.uri])
    expect(res.data.feed[0]!.post).toMatchObject({
      cid: fresh.cid,
      author: { did: alice.did, handle: 'alice.test', displayName: 'Alice' },
      record: { text: 'just posted' },
      likeCount: 0,
    })
    expect(Number(res.headers['atproto-upstream-lag'])).toBeGreaterThanOrEqual(0)
    expect(res.headers['atproto-repo-rev']).toBe(before)
  })

  test('an answer as fresh as the repo passes unchanged', async () => {
    stale('app.bsky.feed.getTimeline', { feed: [{ post: strangerPost }] }, rev())
    const res = await alice.agent.app.bsky.feed.getTimeline()
    expect(res.data.feed).toEqual([{ post: strangerPost }])
    expect(res.headers['atproto-upstream-lag']).toBeUndefined()
  })

  test('a stale compressed answer is patched too', async () => {
    const before = rev()
    const fresh = await post({ text: 'compressed' })
    appview.on(
      'app.bsky.feed.getTimeline',
      () =>
        new Response(Bun.gzipSync(JSON.stringify({ feed: [{ post: strangerPost }] })), {
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'atproto-repo-rev': before,
          },
        }),
    )
    const res = await fetch(`${h.url}/xrpc/app.bsky.feed.getTimeline`, {
      headers: { authorization: `Bearer ${alice.agent.session!.accessJwt}`, 'accept-encoding': 'gzip' },
    })
    const body = (await res.json()) as { feed: { post: { uri: string } }[] }
    expect(body.feed[0]!.post.uri).toBe(fresh.uri)
    expect(res.headers.get('atproto-upstream-lag')).not.toBeNull()
  })

  test('the own profile shows the profile record written since', async () => {
    const before = rev()
    await putProfile({ displayName: 'Alice Again', description: 'new bio' })
    stale('app.bsky.actor.getProfile', { did: alice.did, handle: 'alice.test', displayName: 'Alice' }, before)
    const { data } = await alice.agent.app.bsky.actor.getProfile({ actor: alice.did })
    expect(data).toMatchObject({ displayName: 'Alice Again', description: 'new bio' })
    stale(
      'app.bsky.actor.getProfiles',
      { profiles: [{ did: alice.did, handle: 'alice.test' }, strangerPost.author] },
      before,
    )
    const many = await alice.agent.app.bsky.actor.getProfiles({ actors: [alice.did, STRANGER] })
    expect(many.data.profiles.map((p) => p.displayName)).toEqual(['Alice Again', undefined])
  })

  test('the own author feed gets the new post and the newer profile', async () => {
    const older = await post({ text: 'older' })
    const before = rev()
    await putProfile({ displayName: 'Alice Three' })
    const fresh = await post({ text: 'newest' })
    const oldView = {
      ...strangerPost,
      uri: older.uri,
      cid: older.cid,
      author: { did: alice.did, handle: 'alice.test' },
    }
    stale('app.bsky.feed.getAuthorFeed', { feed: [{ post: oldView }] }, before)
    const { data } = await alice.agent.app.bsky.feed.getAuthorFeed({ actor: alice.did })
    expect(data.feed.map((item) => item.post.uri)).toEqual([fresh.uri, older.uri])
    expect(data.feed.map((item) => item.post.author.displayName)).toEqual(['Alice Three', 'Alice Three'])
  })

  test('a new reply appears in the thread it belongs to', async () => {
    const rootRef = { uri: strangerPost.uri, cid: strangerPost.cid }
    const before = rev()
    const reply = await post({ text: 'my reply', reply: { root: rootRef, parent: rootRef } })
    const thread = { $type: 'app.bsky.feed.defs#threadViewPost', post: strangerPost, replies: [] }
    stale('app.bsky.feed.getPostThread', { thread }, before)
    const { data } = await alice.agent.app.bsky.feed.getPostThread({ uri: strangerPost.uri })
    const replies = (data.thread as { replies: { post: { uri: string } }[] }).replies
    expect(replies.map((r) => r.post.uri)).toEqual([reply.uri])
  })

  test('a thread the AppView does not know yet is built from the new post, parents from the AppView', async () => {
    const rootRef = { uri: strangerPost.uri, cid: strangerPost.cid }
    const before = rev()
    const reply = await post({ text: 'too new', reply: { root: rootRef, parent: rootRef } })
    appview.on('app.bsky.feed.getPostThread', (call) => {
      if (call.query.get('uri') === strangerPost.uri) {
        return Response.json({ thread: { $type: 'app.bsky.feed.defs#threadViewPost', post: strangerPost } })
      }
      return Response.json(
        { error: 'NotFound', message: 'Post not found' },
        { status: 400, headers: { 'atproto-repo-rev': before } },
      )
    })
    const handleUri = reply.uri.replace(alice.did, 'alice.test')
    const { data } = await alice.agent.app.bsky.feed.getPostThread({ uri: handleUri })
    const thread = data.thread as { post: { uri: string }; parent: { post: { uri: string } } }
    expect(thread.post.uri).toBe(reply.uri)
    expect(thread.parent.post.uri).toBe(strangerPost.uri)
    expect(appview.calls.findLast((c) => c.nsid === 'app.bsky.feed.getPostThread')?.jwt?.iss).toBe(alice.did)
  })

  test('embeds are rendered: images from our getBlob, quoted posts from the AppView', async () => {
    const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])
    const blob = (await alice.agent.uploadBlob(image, { encoding: 'image/png' })).data.blob
    appview.on('app.bsky.feed.getPosts', () => Response.json({ posts: [strangerPost] }))
    const before = rev()
    await post({
      text: 'look',
      embed: {
        $type: 'app.bsky.embed.recordWithMedia',
        record: { $type: 'app.bsky.embed.record', record: { uri: strangerPost.uri, cid: strangerPost.cid } },
        media: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: 'a picture' }] },
      },
    })
    stale('app.bsky.feed.getTimeline', { feed: [] }, before)
    const { data } = await alice.agent.app.bsky.feed.getTimeline()
    const embed = data.feed[0]!.post.embed as {
      media: { images: { fullsize: string; alt: string }[] }
      record: { record: { uri: string; value: unknown } }
    }
    const cid = blob.ref.toString()
    expect(embed.media.images[0]).toMatchObject({ alt: 'a picture' })
    expect(embed.media.images[0]!.fullsize).toBe(
      `${h.baseUrl}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(alice.did)}&cid=${cid}`,
    )
    expect(embed.record.record).toMatchObject({ uri: strangerPost.uri, value: strangerPost.record })
    expect(appview.calls.findLast((c) => c.nsid === 'app.bsky.feed.getPosts')?.jwt?.iss).toBe(alice.did)
  })
})
