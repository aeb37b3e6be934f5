/**
 * com.atproto.sync.* for repositories: getRepo (full or `since` a rev), getLatestCommit,
 * getRecord (a proof CAR), getBlocks, listRepos, getRepoStatus, listReposByCollection and the
 * deprecated getHead and getCheckout. The logic is in services/sync; handlers unpack and shape.
 * Reads are public; the account itself (optional access token) also sees its deactivated or
 * taken-down repo, as in the reference.
 */
import { ids } from '../../../../lexicons/ids.ts'
import { parseCid } from '../../../core/cid.ts'
import type { AppContext } from '../../../services/context.ts'
import { SyncService } from '../../../services/sync/index.ts'
import { json } from '../com.atproto.server/input.ts'
import { xrpcMethod } from '../types.ts'

const CAR = 'application/vnd.ipld.car'

export const syncRepoMethods = [
  xrpcMethod(ids.ComAtprotoSyncGetRepo, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const { did, since } = params as { did: string; since?: string }
      return { encoding: CAR, body: byteStream(sync(ctx).repoCar(did, since, auth?.did ?? null)) }
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncGetCheckout, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const { did } = params as { did: string }
      return { encoding: CAR, body: byteStream(sync(ctx).repoCar(did, undefined, auth?.did ?? null)) }
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncGetLatestCommit, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const { cid, rev } = sync(ctx).latestCommit((params as { did: string }).did, auth?.did ?? null)
      return json({ cid: cid.toString(), rev })
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncGetHead, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const root = sync(ctx).head((params as { did: string }).did, auth?.did ?? null)
      return json({ root: root.toString() })
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncGetRecord, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const { did, collection, rkey } = params as { did: string; collection: string; rkey: string }
      return { encoding: CAR, body: sync(ctx).recordProof(did, collection, rkey, auth?.did ?? null) }
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncGetBlocks, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const { did, cids } = params as { did: string; cids: string[] }
      return { encoding: CAR, body: sync(ctx).blocks(did, cids.map(parseCid), auth?.did ?? null) }
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncListRepos, {
    auth: 'none',
    handler: ({ ctx, params }) => {
      const { limit, cursor } = params as { limit: number; cursor?: string }
      const page = sync(ctx).listRepos(limit, cursor)
      const repos = page.items.map((repo) => ({ ...repo, head: repo.head.toString() }))
      return json(page.cursor === undefined ? { repos } : { cursor: page.cursor, repos })
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncGetRepoStatus, {
    auth: 'none',
    handler: ({ ctx, params }) => json(sync(ctx).repoStatus((params as { did: string }).did)),
  }),
  xrpcMethod(ids.ComAtprotoSyncListReposByCollection, {
    auth: 'none',
    handler: ({ ctx, params }) => {
      const { collection, limit, cursor } = params as { collection: string; limit: number; cursor?: string }
      const page = sync(ctx).listReposByCollection(collection, limit, cursor)
      const repos = page.items.map((did) => ({ did }))
      return json(page.cursor === undefined ? { repos } : { cursor: page.cursor, repos })
    },
  }),
]

const services = new WeakMap<AppContext, SyncService>()

/** The sync service of a context, built on first use (its statements are prepared once). */
function sync(ctx: AppContext): SyncService {
  let service = services.get(ctx)
  if (!service) {
    service = new SyncService({ db: ctx.db, repo: ctx.repo, accounts: ctx.accounts })
    services.set(ctx, service)
  }
  return service
}

/**
 * A byte stream that pulls one chunk at a time from `source`, so a slow reader holds back the
 * export instead of letting it pile up in memory; cancelling ends the export (and its snapshot).
 */
function byteStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    async cancel() {
      await iterator.return?.()
    },
  })
}
