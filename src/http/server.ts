/**
 * Runs the app on Bun.serve. Used by `perlsky serve` and by the integration-test harness (port 0).
 * `stop()` is graceful: the listener closes at once, requests in flight finish, then it resolves.
 */
import { loadBuiltinLexicons } from '../core/lexicon/index.ts'
import type { AppContext } from '../services/context.ts'
import { type AppOptions, createApp } from './app.ts'
import { FirehoseThread } from './firehose-thread.ts'
import { xrpcMethods } from './xrpc/methods.ts'

/** Everything optional: the built-in lexicons and methods, output validation off. */
export interface ServerOptions extends Partial<AppOptions> {
  /** Overrides config.port; 0 picks a free port. */
  port?: number
  /** Overrides config.host. */
  host?: string
}

export interface RunningServer {
  /** Where the server listens, e.g. http://127.0.0.1:7755 (not the public base_url). */
  url: string
  port: number
  /** Where the firehose thread listens (config firehose_port), when it runs. */
  firehoseUrl?: string
  stop(): Promise<void>
}

/** Bun's own default; raised to our largest body limit so that our JSON 413 answers, not Bun's. */
const BUN_DEFAULT_MAX_BODY = 128 * 1024 * 1024

export async function startServer(ctx: AppContext, opts: ServerOptions = {}): Promise<RunningServer> {
  const methods = opts.methods ?? xrpcMethods
  const app = createApp(ctx, {
    lexicons: opts.lexicons ?? loadBuiltinLexicons(),
    validateOutput: opts.validateOutput ?? false,
    methods,
  })
  const host = opts.host ?? ctx.config.host
  // The firehose thread first: once the main port answers (/_health), every listener is up.
  const firehoseThread = await startFirehoseThread(ctx, host)
  try {
    app.listen({
      hostname: host,
      port: opts.port ?? ctx.config.port,
      // Elysia defaults to reusePort, which lets a second instance share the port silently.
      reusePort: false,
      development: false,
      maxRequestBodySize: Math.max(
        BUN_DEFAULT_MAX_BODY,
        ctx.config.blob_upload_limit,
        ...methods.map((method) => method.inputLimit ?? 0),
      ),
    })
    if (app.server === null) throw new Error(`could not listen on ${host}`)
  } catch (err) {
    await firehoseThread?.stop()
    throw err
  }
  const port = app.server.port ?? 0
  ctx.background.start()
  return {
    url: httpUrl(host, port),
    port,
    firehoseUrl: firehoseThread && httpUrl(host, firehoseThread.port),
    stop: async () => {
      // Bun's graceful stop waits for open WebSockets: this closes the firehose subscriptions.
      ctx.background.stop()
      await Promise.all([app.stop(false), firehoseThread?.stop()])
    },
  }
}

async function startFirehoseThread(ctx: AppContext, host: string): Promise<FirehoseThread | undefined> {
  const { config } = ctx
  if (config.firehose_port === undefined) return undefined
  const thread = new FirehoseThread({
    dbPath: config.db_path,
    host,
    port: config.firehose_port,
    backfillWindowMs: config.subscription_backfill_window_seconds * 1000,
    sequencer: ctx.sequencer,
    tally: ctx.metrics.firehoseTally,
    logger: ctx.logger,
  })
  await thread.start()
  return thread
}

function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}
