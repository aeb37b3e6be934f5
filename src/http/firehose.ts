/**
 * GET /xrpc/com.atproto.sync.subscribeRepos: the firehose over Bun's native WebSockets (through
 * Elysia's `.ws()`).
 * The `cursor` parameter is checked against the lexicon before the upgrade, so a malformed one
 * gets a plain 400 answer; everything after the upgrade (FutureCursor, ConsumerTooSlow) is an
 * error frame on the stream (services/firehose). A GET without an upgrade gets 426, any other
 * verb 405 (spec: event-stream "Connection").
 * The firehose itself, its pruning and the crawler notices are services (ctx.firehose,
 * ctx.background); the server starts them and, on shutdown, closes the subscriptions first.
 * The firehose thread (firehose-thread-worker.ts) serves these same routes on its own listener,
 * over its own hub.
 */
import type { ServerWebSocket } from 'bun'
import { Elysia } from 'elysia'
import { ids } from '../../lexicons/ids.ts'
import type { Logger } from '../lib/logger.ts'
import { XrpcError } from '../services/errors.ts'
import type { Firehose, FirehoseConnection, FirehoseSocket } from '../services/firehose/index.ts'
import type { FirehoseTally } from '../services/metrics/index.ts'
import { asInvalidRequest, type XrpcLexicons } from './xrpc/lexicons.ts'

export const SUBSCRIBE_REPOS_PATH = `/xrpc/${ids.ComAtprotoSyncSubscribeRepos}`

export interface FirehoseRouteDeps {
  readonly firehose: Firehose
  readonly logger: Logger
  readonly tally: FirehoseTally
}

export function firehoseRoutes(deps: FirehoseRouteDeps, lexicons: XrpcLexicons) {
  const connections = new WeakMap<object, FirehoseConnection>()
  const cursorOf = (query: Record<string, string | string[]>) =>
    asInvalidRequest(() => lexicons.validateParams(ids.ComAtprotoSyncSubscribeRepos, query)).cursor as
      | number
      | undefined
  return new Elysia({ name: 'firehose' })
    .ws(SUBSCRIBE_REPOS_PATH, {
      beforeHandle: ({ query }) => void cursorOf(query),
      open(ws) {
        const cursor = cursorOf(ws.data.query)
        deps.logger.info('firehose subscription', { cursor, remote: ws.raw.remoteAddress })
        const connection = deps.firehose.connect(bunSocket(ws.raw, deps.tally), cursor)
        if (connection) connections.set(ws.raw, connection)
      },
      drain: (ws) => connections.get(ws.raw)?.drained(),
      close(ws) {
        connections.get(ws.raw)?.closed()
        connections.delete(ws.raw)
      },
      // Spec: servers ignore whatever a client sends.
      message: () => {},
    })
    .get(SUBSCRIBE_REPOS_PATH, () => {
      throw new XrpcError(426, 'UpgradeRequired', 'subscribeRepos is a WebSocket endpoint')
    })
    .all(SUBSCRIBE_REPOS_PATH, () => {
      throw new XrpcError(405, 'MethodNotAllowed', 'subscribeRepos takes GET with a WebSocket upgrade')
    })
}

/** Elysia's `ws.raw` is Bun's ServerWebSocket; Elysia's own copy of its type lacks getBufferedAmount. */
function bunSocket(elysiaRaw: object, tally: FirehoseTally): FirehoseSocket {
  const raw = elysiaRaw as ServerWebSocket<unknown>
  return {
    send: (frame) => {
      const sent = raw.sendBinary(frame)
      // 0: dropped (closed socket or over Bun's limit); -1 (queued) still goes out.
      if (sent !== 0) tally.frameSent(frame.byteLength)
      return sent
    },
    bufferedAmount: () => raw.getBufferedAmount(),
    cork: (fn) => {
      raw.cork(fn)
    },
    close: (code, reason) => raw.close(code, reason),
    terminate: () => raw.terminate(),
  }
}
