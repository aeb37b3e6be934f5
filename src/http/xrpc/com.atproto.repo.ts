/**
 * com.atproto.repo.*: record writes and reads, blob uploads and repository import. Handlers
 * unpack the (lexicon-validated) input, call the repo or blob service, and shape the output:
 * CIDs that the lexicon types as strings are written as strings.
 */
import { ids } from '../../../lexicons/ids.ts'
import { MAX_REPO_IMPORT_LIMIT } from '../../config/schema.ts'
import { InvalidRequestError, PayloadTooLargeError } from '../../services/errors.ts'
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
    handler: async ({ ctx, auth, input }) =>
      json(writeOutput(await ctx.repo.createRecord(auth.did, jsonInput<CreateRecordInput>(input)))),
  }),
  xrpcMethod(ids.ComAtprotoRepoPutRecord, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) =>
      json(writeOutput(await ctx.repo.putRecord(auth.did, jsonInput<PutRecordInput>(input)))),
  }),
  xrpcMethod(ids.ComAtprotoRepoDeleteRecord, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const { commit } = await ctx.repo.deleteRecord(auth.did, jsonInput<DeleteRecordInput>(input))
      return json({ commit: commitOutput(commit) })
    },
  }),
  xrpcMethod(ids.ComAtprotoRepoApplyWrites, {
    auth: 'access',
    handler: async ({ ctx, auth, input }) => {
      const { commit, results } = await ctx.repo.applyWrites(auth.did, jsonInput<ApplyWritesInput>(input))
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
      return json({ blob: await ctx.blobs.upload(auth.did, encoding, body) })
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
