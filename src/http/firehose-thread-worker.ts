/**
 * The firehose thread (firehose-thread.ts starts it): subscribeRepos on a listener of its own.
 * Its hub listens to a sequencer of its own over its own database connection, which never
 * appends: the main thread passes it each event it delivers, and it hands them over without
 * reading them back (it reads the log only to fill a gap, and for replays). Sending every event
 * to every subscriber is then this thread's work, not the writers'. A build entry point of its
 * own (build.ts), because a compiled binary starts workers only from those.
 */
import { Elysia } from 'elysia'
// Only the one lexicon this thread validates against: all of them would cost it megabytes.
import subscribeRepos from '../../lexicons/com/atproto/sync/subscribeRepos.json'
import { Lexicons } from '../core/lexicon/index.ts'
import type { LexiconDoc } from '../core/lexicon/types.ts'
import { type LogFields, type Logger, type LogLevel, redactFields } from '../lib/logger.ts'
import { NotFoundError } from '../services/errors.ts'
import { DEFAULT_FIREHOSE_LIMITS, Firehose } from '../services/firehose/index.ts'
import { FirehoseTally } from '../services/metrics/index.ts'
import { type SequencedEvent, Sequencer } from '../services/sequencer/index.ts'
import { Db } from '../storage/database.ts'
import { EventLog } from '../storage/repo/index.ts'
import { EventWindow } from '../storage/sync/index.ts'
import { errorResponse } from './error-mapper.ts'
import { firehoseRoutes } from './firehose.ts'
import type { FromFirehoseThread, ToFirehoseThread } from './firehose-thread.ts'

declare const self: Worker

/**
 * With 50 subscribers, events go out in batches at most every 2 ms: one write per socket carries
 * several (two or three at 1,000 events/s), which halves the fan-out's CPU; an event after a quiet
 * spell goes out at once, and with fewer subscribers the interval is shorter in proportion
 * (Firehose). 1 ms saved less; beyond 2 ms the latency p99 nears its 5 ms target.
 */
const FAN_OUT_INTERVAL_MS = 2
/** How often the subscriber count is copied to the shared tally (the metrics gauge). */
const COUNT_INTERVAL_MS = 1000

const post = (message: FromFirehoseThread) => self.postMessage(message)

/** Log lines go to the main thread's logger, already redacted (they cross as plain data). */
function relayedLogger(fields: LogFields = {}): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, more?: LogFields): void =>
      post({ kind: 'log', level, msg, fields: redactFields({ ...fields, ...more }) as LogFields })
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => relayedLogger({ ...fields, ...more }),
  }
}

type Start = Extract<ToFirehoseThread, { kind: 'start' }>

function start(options: Start) {
  const logger = relayedLogger({ thread: 'firehose' })
  const db = Db.open(options.dbPath)
  const events = new Sequencer(db, new EventLog(db), logger)
  const firehose = new Firehose(
    { events, window: new EventWindow(db), logger },
    {
      ...DEFAULT_FIREHOSE_LIMITS,
      backfillWindowMs: options.backfillWindowMs,
      fanOutIntervalMs: FAN_OUT_INTERVAL_MS,
    },
  )
  const tally = new FirehoseTally(options.tally)
  const lexicons = Lexicons.fromTrusted([subscribeRepos as LexiconDoc])
  const app = new Elysia()
    .onError(({ request, error, code }) =>
      errorResponse(code === 'NOT_FOUND' ? new NotFoundError() : error, {
        logger,
        requestId: crypto.randomUUID(),
        method: request.method,
        path: new URL(request.url).pathname,
      }),
    )
    .use(firehoseRoutes({ firehose, logger, tally }, lexicons))
    .all('*', () => {
      throw new NotFoundError()
    })
  try {
    app.listen({ hostname: options.host, port: options.port, reusePort: false, development: false })
  } catch (err) {
    db.close()
    throw err
  }
  firehose.start()
  const counter = setInterval(() => {
    tally.threadSubscribers = firehose.subscriberCount
  }, COUNT_INTERVAL_MS)
  post({ kind: 'listening', port: app.server?.port ?? 0 })
  return {
    committed: (event: SequencedEvent) => events.committedElsewhere(event),
    async stop() {
      clearInterval(counter)
      firehose.stop()
      // Bun's graceful stop waits for the sockets that firehose.stop() has just closed.
      await app.stop(false)
      tally.threadSubscribers = 0
      db.close()
    },
  }
}

let running: ReturnType<typeof start> | undefined

self.onmessage = async ({ data }: MessageEvent<ToFirehoseThread>) => {
  switch (data.kind) {
    case 'start':
      try {
        running = start(data)
      } catch (err) {
        post({ kind: 'failed', message: (err as Error).message })
      }
      return
    case 'event':
      running?.committed(data.event)
      return
    case 'stop':
      await running?.stop()
      running = undefined
      post({ kind: 'stopped' })
      return
  }
}
