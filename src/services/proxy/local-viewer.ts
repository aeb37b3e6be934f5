/**
 * AppView-shaped views of the account's own fresh records, for read-after-write: the post view
 * of a post the AppView has not indexed yet (counts zero, the author from the local profile,
 * embeds rendered as the AppView would, with image URLs pointing at our getBlob), and profile
 * views brought up to date with a newer profile record. Embedded records (quote posts, feeds,
 * lists) are looked up on the AppView as the account; one that cannot be found is rendered as
 * `viewNotFound`. Video embeds are left out, as the reference does: their views need the video
 * service's playlist URLs.
 */
import { ids } from '../../../lexicons/ids.ts'
import type { JsonMap, RecordDescript } from './local-records.ts'

/** A GET on the AppView as the account: the JSON answer, or null when it failed. */
export type AppviewQuery = (nsid: string, params: Record<string, string>) => Promise<unknown>

export interface LocalViewerOptions {
  did: string
  handle: string
  /** The account's current profile record, if it has one. */
  profile: JsonMap | undefined
  baseUrl: string
  appview: AppviewQuery
}

export class LocalViewer {
  constructor(private readonly opts: LocalViewerOptions) {}

  get did(): string {
    return this.opts.did
  }

  get handle(): string {
    return this.opts.handle
  }

  profileBasic(): JsonMap {
    const base = { did: this.opts.did, handle: this.opts.handle }
    return this.opts.profile === undefined ? base : this.updateProfileViewBasic(base, this.opts.profile)
  }

  async postView(post: RecordDescript): Promise<JsonMap> {
    const embed = asMap(post.record.embed)
    return {
      uri: post.uri,
      cid: post.cid,
      author: this.profileBasic(),
      record: post.record,
      embed: embed === undefined ? undefined : await this.embedView(embed),
      // Nobody can have replied to, reposted, liked or quoted a post the AppView has not seen.
      replyCount: 0,
      repostCount: 0,
      likeCount: 0,
      quoteCount: 0,
      indexedAt: post.indexedAt,
    }
  }

  /**
   * Puts posts newer than the feed's last item in their place by time (newest first), skipping
   * any the feed already has.
   */
  async insertPostsInFeed(feed: unknown[], posts: RecordDescript[]): Promise<unknown[]> {
    const present = new Set(feed.map((item) => str(asMap(asMap(item)?.post)?.uri)))
    const lastTime = str(asMap(asMap(feed.at(-1))?.post)?.indexedAt) ?? new Date(0).toISOString()
    const fresh = posts.filter((p) => p.indexedAt > lastTime && !present.has(p.uri)).reverse()
    const out = [...feed]
    for (const post of await Promise.all(fresh.map((p) => this.postView(p)))) {
      const at = out.findIndex(
        (item) => (str(asMap(asMap(item)?.post)?.indexedAt) ?? '') < str(post.indexedAt)!,
      )
      if (at === -1) out.push({ post })
      else out.splice(at, 0, { post })
    }
    return out
  }

  updateProfileViewBasic(view: JsonMap, record: JsonMap): JsonMap {
    const avatar = blobCid(record.avatar)
    return {
      ...view,
      displayName: str(record.displayName),
      avatar: avatar === undefined ? undefined : this.imageUrl(avatar),
    }
  }

  updateProfileView(view: JsonMap, record: JsonMap): JsonMap {
    return { ...this.updateProfileViewBasic(view, record), description: str(record.description) }
  }

  updateProfileDetailed(view: JsonMap, record: JsonMap): JsonMap {
    const banner = blobCid(record.banner)
    return {
      ...this.updateProfileView(view, record),
      banner: banner === undefined ? undefined : this.imageUrl(banner),
    }
  }

  imageUrl(cid: string): string {
    const did = encodeURIComponent(this.opts.did)
    return `${this.opts.baseUrl}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${encodeURIComponent(cid)}`
  }

  private async embedView(embed: JsonMap): Promise<JsonMap | undefined> {
    switch (embed.$type) {
      case 'app.bsky.embed.images':
      case 'app.bsky.embed.external':
        return this.mediaView(embed)
      case 'app.bsky.embed.record':
        return this.recordEmbedView(embed)
      case 'app.bsky.embed.recordWithMedia': {
        const media = asMap(embed.media)
        const mediaView = media === undefined ? undefined : this.mediaView(media)
        const record = asMap(embed.record)
        if (mediaView === undefined || record === undefined) return undefined
        return {
          $type: 'app.bsky.embed.recordWithMedia#view',
          record: await this.recordEmbedView(record),
          media: mediaView,
        }
      }
      default:
        return undefined
    }
  }

  private mediaView(embed: JsonMap): JsonMap | undefined {
    if (embed.$type === 'app.bsky.embed.images') {
      const images = Array.isArray(embed.images) ? embed.images.map(asMap) : []
      return {
        $type: 'app.bsky.embed.images#view',
        images: images.flatMap((img) => {
          const cid = blobCid(img?.image)
          if (img === undefined || cid === undefined) return []
          return [
            {
              thumb: this.imageUrl(cid),
              fullsize: this.imageUrl(cid),
              alt: str(img.alt) ?? '',
              aspectRatio: img.aspectRatio,
            },
          ]
        }),
      }
    }
    const external = asMap(embed.external)
    if (embed.$type !== 'app.bsky.embed.external' || external === undefined) return undefined
    const thumb = blobCid(external.thumb)
    return {
      $type: 'app.bsky.embed.external#view',
      external: {
        uri: external.uri,
        title: external.title,
        description: external.description,
        thumb: thumb === undefined ? undefined : this.imageUrl(thumb),
      },
    }
  }

  private async recordEmbedView(embed: JsonMap): Promise<JsonMap> {
    const uri = str(asMap(embed.record)?.uri) ?? ''
    const view = await this.embeddedRecord(uri).catch(() => undefined)
    return {
      $type: 'app.bsky.embed.record#view',
      record: view ?? { $type: 'app.bsky.embed.record#viewNotFound', uri, notFound: true },
    }
  }

  private async embeddedRecord(uri: string): Promise<JsonMap | undefined> {
    const collection = uri.startsWith('at://') ? uri.slice(5).split('/')[1] : undefined
    if (collection === ids.AppBskyFeedPost) {
      const res = asMap(await this.opts.appview(ids.AppBskyFeedGetPosts, { uris: uri }))
      const post = asMap(Array.isArray(res?.posts) ? res.posts[0] : undefined)
      if (post === undefined) return undefined
      return {
        $type: 'app.bsky.embed.record#viewRecord',
        uri: post.uri,
        cid: post.cid,
        author: post.author,
        value: post.record,
        labels: post.labels,
        embeds: post.embed === undefined ? undefined : [post.embed],
        indexedAt: post.indexedAt,
      }
    }
    if (collection === ids.AppBskyFeedGenerator) {
      const view = asMap(asMap(await this.opts.appview(ids.AppBskyFeedGetFeedGenerator, { feed: uri }))?.view)
      return view === undefined ? undefined : { $type: 'app.bsky.feed.defs#generatorView', ...view }
    }
    if (collection === ids.AppBskyGraphList) {
      const list = asMap(asMap(await this.opts.appview(ids.AppBskyGraphGetList, { list: uri }))?.list)
      return list === undefined ? undefined : { $type: 'app.bsky.graph.defs#listView', ...list }
    }
    return undefined
  }
}

export function asMap(value: unknown): JsonMap | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonMap) : undefined
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** The CID of a blob reference in JSON form (`ref.$link`, or the legacy `cid`). */
function blobCid(value: unknown): string | undefined {
  const blob = asMap(value)
  return str(asMap(blob?.ref)?.$link) ?? str(blob?.cid)
}
