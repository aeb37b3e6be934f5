/**
 * Boots the real server for integration tests: a fresh temp data dir and database, a config
 * built by the real loader, the real HTTP stack on a free loopback port, and XRPC output
 * validation on. `stop()` drains the server, closes the database and deletes the temp dir.
 *
 *   const h = await startHarness()
 *   afterAll(() => h.stop())
 *   await fetch(`${h.url}/xrpc/com.atproto.server.describeServer`)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { type Lexicons, loadBuiltinLexicons } from '../../src/core/lexicon/index.ts'
import { type RunningServer, startServer } from '../../src/http/server.ts'
import type { AnyXrpcMethod } from '../../src/http/xrpc/types.ts'
import { type Logger, silentLogger } from '../../src/lib/logger.ts'
import { type AppContext, type ContextOptions, createContext } from '../../src/services/context.ts'

export interface HarnessOptions {
  /** Raw config keys (as in the JSON file) merged over the test defaults. */
  config?: Record<string, unknown>
  /** Replaces the XRPC handler table (tests that need a handler of their own). */
  methods?: readonly AnyXrpcMethod[]
  /** Extra context options (e.g. DNS/HTTP doubles for identity resolution). */
  context?: Omit<ContextOptions, 'logger'>
  /** Defaults to a silent logger. */
  logger?: Logger
}

export interface Harness {
  /** Where the server listens: http://127.0.0.1:<port>. */
  url: string
  /** Where the firehose thread listens, when the config sets firehose_port. */
  firehoseUrl?: string
  /** The public base_url of the config: http://localhost:<same port>. */
  baseUrl: string
  ctx: AppContext
  config: Config
  dataDir: string
  stop(): Promise<void>
}

let lexicons: Lexicons | undefined
const BIND_ATTEMPTS = 5

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  lexicons ??= loadBuiltinLexicons()
  const dataDir = mkdtempSync(join(tmpdir(), 'perlsky-it-'))
  try {
    return await bindWithRetry(dataDir, opts, lexicons)
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
}

/**
 * base_url must carry the real port (it is part of the service did:web), so a free port is found
 * first; another process may take it in between, hence the retry.
 */
async function bindWithRetry(dataDir: string, opts: HarnessOptions, lex: Lexicons): Promise<Harness> {
  for (let attempt = 1; ; attempt++) {
    const port = freePort()
    const config = loadConfig(testConfig(port, opts.config), dataDir)
    const ctx = createContext(config, { ...opts.context, logger: opts.logger ?? silentLogger() })
    let server: RunningServer
    try {
      server = await startServer(ctx, { lexicons: lex, validateOutput: true, methods: opts.methods })
    } catch (err) {
      await ctx.close()
      if (attempt < BIND_ATTEMPTS && (err as { code?: string }).code === 'EADDRINUSE') continue
      throw err
    }
    return {
      url: server.url,
      firehoseUrl: server.firehoseUrl,
      baseUrl: config.base_url,
      ctx,
      config,
      dataDir,
      stop: async () => {
        await server.stop()
        await ctx.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  }
}

function testConfig(port: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port,
    base_url: `http://localhost:${port}`,
    service_handle_domain: 'test',
    account_did_method: 'did:web',
    jwt_secret: 'integration-test-jwt-secret',
    admin_password: 'integration-test-admin-password',
    data_dir: '.',
    log_level: 'error',
    ...overrides,
  }
}

function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = probe
  probe.stop(true)
  return port
}
