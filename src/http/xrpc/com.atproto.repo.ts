/**
 * com.atproto.repo.*: record writes and reads, blob uploads and repository import. Handlers
 * unpack the (lexicon-validated) input, call the repo or blob service, and shape the output:
 * CIDs that the lexicon types as strings are written as strings.
 */
import { ids } from '../../../lexicons/ids.ts'
import { MAX_REPO_IMPORT_LIMIT } from '../../config/schema.ts'
import type { RepoAction } from '../../core/permissions/index.ts'
import { InvalidRequestError, PayloadTooLargeError } from '../../services/errors.ts'
import { requireScope } from '../../services/oauth/index.ts'
import type { CommitRef, CommittedWrite, WriteResult } from '../../services/repo/index.ts'
import type {
  ApplyWritesInput,
  CreateRecordInput,
  DeleteRecordInput,
  PutRecordInput,
} from '../../services/repo/service.ts'
import { json, jsonInput } from './com.atproto.server/input.ts'
import { type XrpcInput, xrpcMethod } from './types.ts'

export const comAtprotoRepo = [
  xrpcMethod(ids.ComAtprotoRepoCreateRecord, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const body = jsonInput<CreateRecordInput>(input)
      requireWriteScopes(auth, [[body.collection, 'create']])
      return json(writeOutput(await ctx.repo.createRecord(auth.did, body)))
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoPutRecord, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const body = jsonInput<PutRecordInput>(input)
      // Whether it creates or replaces depends on the repo's state: the token must allow both.
      requireWriteScopes(auth, [
        [body.collection, 'create'],
        [body.collection, 'update'],
      ])
      return json(writeOutput(await ctx.repo.putRecord(auth.did, body)))
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoDeleteRecord, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const body = jsonInput<DeleteRecordInput>(input)
      requireWriteScopes(auth, [[body.collection, 'delete']])
      const { commit } = await ctx.repo.deleteRecord(auth.did, body)
      return json({ commit: commitOutput(commit) })
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoApplyWrites, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const body = jsonInput<ApplyWritesInput>(input)
      requireWriteScopes(
        auth,
        body.writes.map((w) => [w.collection, writeAction(w.$type)]),
      )
      const { commit, results } = await ctx.repo.applyWrites(auth.did, body)
      return json({ commit: commitOutput(commit), results: results.map(applyResult) })
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoGetRecord, {
    auth: 'none',
    handler: ({ ctx, params }) => {
      const { repo, collection, rkey, cid } = params as {
        repo: string
        collection: string
        rkey: string
        cid?: string
      }
      const record = ctx.repo.getRecord({ repo, collection, rkey, cid })
      return json({ uri: record.uri, cid: record.cid.toString(), value: record.value })
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoListRecords, {
    auth: 'none',
    handler: ({ ctx, params }) => {
      const page = ctx.repo.listRecords(
        params as { repo: string; collection: string; limit: number; cursor?: string; reverse?: boolean },
      )
      const records = page.records.map((r) => ({ uri: r.uri, cid: r.cid.toString(), value: r.value }))
      return json({ cursor: page.cursor, records })
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoDescribeRepo, {
    auth: 'none',
    handler: async ({ ctx, params }) => json(await ctx.repo.describeRepo(params.repo as string)),
  }),
  xrpcMethod(ids.ComAtprotoRepoUploadBlob, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const { encoding, body } = binaryInput(input)
      const blob = await ctx.blobs.upload(auth.did, encoding, body)
      ctx.metrics.blobTransfer('in', blob.size)
      return json({ blob })
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoImportRepo, {
    auth: 'accessFull',
    // The route's limit is the ceiling; the configured repo_import_limit is applied below.
    inputLimit: MAX_REPO_IMPORT_LIMIT,
    handler: async ({ ctx, auth, input, request }) => {
      const limit = ctx.config.repo_import_limit
      const { headers } = request
      if (!headers.has('content-encoding') && Number(headers.get('content-length') ?? 0) > limit) {
        throw importTooLarge(limit)
      }
      await ctx.repo.importRepo(auth.did, capped(binaryInput(input).body, limit))
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoListMissingBlobs, {
    auth: 'access',
    handler: ({ ctx, auth, params }) => {
      const { limit, cursor } = params as { limit: number; cursor?: string }
      const missing = ctx.blobs.listMissing(auth.did, cursor, limit)
      const blobs = missing.map((b) => ({ cid: b.cid, recordUri: `at://${auth.did}/${b.path}` }))
      return json({ cursor: missing.at(-1)?.cid, blobs })
    },
  }),
]

function binaryInput(input: XrpcInput | undefined): { encoding: string; body: ReadableStream<Uint8Array> } {
  if (input?.kind !== 'stream') throw new InvalidRequestError('A request body is required')
  return input
}

function importTooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `Repository import is larger than the ${limit} byte limit (repo_import_limit)`,
  )
}

/** The stream, failing with PayloadTooLarge once more than `limit` bytes came through. */
function capped(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limit) controller.error(importTooLarge(limit))
        else controller.enqueue(chunk)
      },
    }),
  )
}

function commitOutput(commit: CommitRef | null) {
  return commit ? { cid: commit.cid.toString(), rev: commit.rev } : undefined
}

function writeOutput(res: WriteResult) {
  return {
    uri: res.uri,
    cid: res.cid.toString(),
    commit: commitOutput(res.commit),
    validationStatus: res.validationStatus,
  }
}

function applyResult(write: CommittedWrite) {
  const $type = `${ids.ComAtprotoRepoApplyWrites}#${write.action}Result`
  if (write.action === 'delete') return { $type }
  return { $type, uri: write.uri, cid: write.cid!.toString(), validationStatus: write.validationStatus }
}

/** OAuth tokens name the collections and actions they may write (docs/OAUTH.md); others pass. */
function requireWriteScopes(auth: object, writes: readonly (readonly [string, RepoAction])[]): void {
  for (const [collection, action] of writes) requireScope(auth, { resource: 'repo', collection, action })
}

/** The action of an applyWrites entry; an unknown $type is refused later by the repo service. */
function writeAction($type: string | undefined): RepoAction {
  if ($type?.endsWith('#update')) return 'update'
  if ($type?.endsWith('#delete')) return 'delete'
  return 'create'
}
