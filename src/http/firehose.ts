/**
 * GET /xrpc/com.atproto.sync.subscribeRepos: the firehose over Bun's native WebSockets (through
 * Elysia's `.ws()`), plus what runs beside it while the server serves: the event-log pruning and
 * the crawler notifications that point relays at this stream.
 * The `cursor` parameter is checked against the lexicon before the upgrade, so a malformed one
 * gets a plain 400 answer; everything after the upgrade (FutureCursor, ConsumerTooSlow) is an
 * error frame on the stream (services/firehose). A GET without an upgrade gets 426, any other
 * verb 405 (spec: event-stream "Connection").
 * Shutdown: Bun's graceful `server.stop()` waits for open WebSockets, so the subscriptions must
 * be closed first: `stopFirehose(app)` does that, then `app.stop()` can finish.
 */
import type { ServerWebSocket } from 'bun'
import { Elysia } from 'elysia'
import { ids } from '../../lexicons/ids.ts'
import type { AppContext } from '../services/context.ts'
import { createCrawlerNotifier } from '../services/crawlers/index.ts'
import { XrpcError } from '../services/errors.ts'
import { createFirehose, type FirehoseConnection, type FirehoseSocket } from '../services/firehose/index.ts'
import type { Metrics } from '../services/metrics/index.ts'
import { asInvalidRequest, type XrpcLexicons } from './xrpc/lexicons.ts'

export const SUBSCRIBE_REPOS_PATH = `/xrpc/${ids.ComAtprotoSyncSubscribeRepos}`

/** The firehose, pruner and crawler notifier of one server, started and stopped with it. */
export interface FirehoseRuntime {
  start(): void
  /** Closes every subscription (going away) and stops the background work. Safe to call twice. */
  stop(): void
  readonly subscriberCount: number
}

export function firehoseRoutes(ctx: AppContext, lexicons: XrpcLexicons) {
  const runtime = createRuntime(ctx)
  ctx.metrics.sources.firehoseSubscribers = () => runtime.subscriberCount
  const connections = new WeakMap<object, FirehoseConnection>()
  const cursorOf = (query: Record<string, string | string[]>) =>
    asInvalidRequest(() => lexicons.validateParams(ids.ComAtprotoSyncSubscribeRepos, query)).cursor as
      | number
      | undefined
  return new Elysia({ name: 'firehose' })
    .decorate('firehose', runtime)
    .onStart(() => runtime.start())
    .onStop(() => runtime.stop())
    .ws(SUBSCRIBE_REPOS_PATH, {
      beforeHandle: ({ query }) => void cursorOf(query),
      open(ws) {
        const cursor = cursorOf(ws.data.query)
        ctx.logger.info('firehose subscription', { cursor, remote: ws.raw.remoteAddress })
        const connection = runtime.connect(bunSocket(ws.raw, ctx.metrics), cursor)
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

/** Closes the subscriptions of an app built with firehoseRoutes, so a graceful stop can finish. */
export function stopFirehose(app: { decorator: object }): void {
  const runtime = (app.decorator as { firehose?: FirehoseRuntime }).firehose
  runtime?.stop()
}

function createRuntime(ctx: AppContext): FirehoseRuntime & {
  connect(socket: FirehoseSocket, cursor: number | undefined): FirehoseConnection | undefined
} {
  const { firehose, pruner } = createFirehose(ctx.config, ctx)
  const crawlers = createCrawlerNotifier(ctx.config, ctx.db, ctx.logger, {
    onAttempt: (attempt) => ctx.metrics.crawlerAttempt(attempt),
  })
  let running = false
  return {
    start() {
      if (running) return
      running = true
      firehose.start()
      pruner.start()
      crawlers.start((listener) => ctx.sequencer.subscribe(listener))
    },
    stop() {
      if (!running) return
      running = false
      crawlers.stop()
      pruner.stop()
      firehose.stop()
    },
    get subscriberCount() {
      return firehose.subscriberCount
    },
    connect: (socket, cursor) => firehose.connect(socket, cursor),
  }
}

/** Elysia's `ws.raw` is Bun's ServerWebSocket; Elysia's own copy of its type lacks getBufferedAmount. */
function bunSocket(elysiaRaw: object, metrics: Metrics): FirehoseSocket {
  const raw = elysiaRaw as ServerWebSocket<unknown>
  return {
    send: (frame) => {
      const sent = raw.sendBinary(frame)
      // 0: dropped (closed socket or over Bun's limit); -1 (queued) still goes out.
      if (sent !== 0) metrics.firehoseFrameSent(frame.byteLength)
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
