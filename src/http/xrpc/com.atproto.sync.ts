/**
 * com.atproto.sync.*: blob download and listing (repo export and the firehose come with the sync
 * work). getBlob streams the stored bytes as they are, never compressed, with the headers that
 * keep a browser from treating user content as a page (blob spec, "Security Considerations"),
 * and answers single `Range` requests with 206 (multiple ranges get the whole blob).
 */
import { ids } from '../../../lexicons/ids.ts'
import { parseCid } from '../../core/cid.ts'
import { XrpcError } from '../../services/errors.ts'
import { json } from './com.atproto.server/input.ts'
import { xrpcMethod } from './types.ts'

export const comAtprotoSync = [
  xrpcMethod(ids.ComAtprotoSyncGetBlob, {
    auth: 'optionalAccess',
    handler: async ({ ctx, auth, params, request }) => {
      const { did, cid: cidText } = params as { did: string; cid: string }
      ctx.repo.availableRepo(did, auth?.did ?? null)
      const cid = parseCid(cidText)
      const { size } = ctx.blobs.describe(did, cid)
      const range = parseRange(request.headers.get('range'), size)
      const blob = await ctx.blobs.get(did, cid, range)
      const length = range ? range.end - range.start : size
      ctx.metrics.blobTransfer('out', length)
      const headers: Record<string, string> = {
        'Content-Length': String(length),
        'Accept-Ranges': 'bytes',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Content-Disposition': `attachment; filename="${cidText}"`,
      }
      if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end - 1}/${size}`
      return { encoding: blob.mimeType || 'application/octet-stream', body: blob.stream, headers }
    },
  }),
  xrpcMethod(ids.ComAtprotoSyncListBlobs, {
    auth: 'optionalAccess',
    handler: ({ ctx, auth, params }) => {
      const { did, since, limit, cursor } = params as {
        did: string
        since?: string
        limit: number
        cursor?: string
      }
      ctx.repo.availableRepo(did, auth?.did ?? null)
      const cids = ctx.blobs.list(did, { since, cursor, limit })
      return json({ cursor: cids.at(-1), cids })
    },
  }),
]

/**
 * A single `bytes=` range as [start, end), or undefined to send the whole blob (no header, a
 * header we do not handle, several ranges). An unsatisfiable range is a 416.
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | undefined {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/)
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  const [, first = '', last = ''] = match
  let start: number
  let end: number
  if (first === '') {
    start = Math.max(0, size - Number(last))
    end = size
  } else {
    start = Number(first)
    end = last === '' ? size : Math.min(size, Number(last) + 1)
  }
  if (start >= size || start >= end) {
    throw new XrpcError(416, 'RangeNotSatisfiable', `Range not satisfiable for a blob of ${size} bytes`, {
      headers: { 'Content-Range': `bytes */${size}` },
    })
  }
  return { start, end }
}
