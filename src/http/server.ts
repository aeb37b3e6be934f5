/**
 * Runs the app on Bun.serve. Used by `perlsky serve` and by the integration-test harness (port 0).
 * `stop()` is graceful: the listener closes at once, requests in flight finish, then it resolves.
 */
import { loadBuiltinLexicons } from '../core/lexicon/index.ts'
import type { AppContext } from '../services/context.ts'
import { type AppOptions, createApp } from './app.ts'
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
  const server = app.server
  if (server === null) throw new Error(`could not listen on ${host}`)
  const port = server.port ?? 0
  ctx.background.start()
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop: async () => {
      // Bun's graceful stop waits for open WebSockets: this closes the firehose subscriptions.
      ctx.background.stop()
      await app.stop(false)
    },
  }
}
