/**
 * Exception reporting to Sentry (`sentry_dsn`), through the official SDK (@sentry/bun). The HTTP
 * error mapper reports what reached it unhandled (answered 500), with the request's method, XRPC
 * method, public URL, account DID and request id; handled XrpcErrors are never reported. Without
 * a DSN nothing is loaded and nothing is sent.
 *
 * A client and scope of our own rather than `Sentry.init()`: init installs process-wide handlers
 * and auto-instrumentation (fetch, http, console) that this server does not want, and a second
 * server in the same process (the tests) would replace the first one's client. The SDK is
 * imported on the first report, so processes that never fail never load it. Query values whose
 * names look secret are replaced before anything leaves, and the DSN's key never reaches a log.
 */
import type { Logger } from '../../lib/logger.ts'

/** What the HTTP layer knows about a failed request. */
export interface ErrorRequestContext {
  readonly requestId: string
  /** The HTTP method. */
  readonly method: string
  /** The XRPC method, for /xrpc/<nsid> paths. */
  readonly nsid: string | undefined
  readonly path: string
  readonly query: URLSearchParams
  /** The account the request authenticated as, when it got that far. */
  readonly did: string | undefined
}

export interface ErrorReporter {
  readonly enabled: boolean
  /** Sends the exception in the background; never throws. */
  report(err: unknown, context: ErrorRequestContext): void
  /** Resolves once the reports made so far are sent (or `timeoutMs` passed). */
  flush(timeoutMs?: number): Promise<void>
  /** Flushes, then stops the client; later reports are dropped. */
  close(timeoutMs?: number): Promise<void>
}

export interface ErrorReporterOptions {
  /** sentry_dsn; without it the reporter does nothing. */
  readonly dsn: string | undefined
  /** The public origin (base_url): event URLs use it, not the listener's address. */
  readonly baseUrl: string
  readonly release: string
  /** The host name reported as the event's server (config hostname). */
  readonly serverName: string
  readonly logger: Logger
}

const DEFAULT_FLUSH_MS = 2000
/** Parameter names whose values may be secrets: anything naming one, or exactly a short one. */
const SECRET_PARAM = /pass|token|secret|jwt|cookie|credential|dsn|^(code|key|api_key|auth|session|otp)$/i
export const REDACTED_VALUE = '[redacted]'

type Sdk = typeof import('@sentry/bun')
type Client = InstanceType<Sdk['BunClient']>

export function createErrorReporter(opts: ErrorReporterOptions): ErrorReporter {
  return opts.dsn === undefined ? DISABLED : new SentryReporter({ ...opts, dsn: opts.dsn })
}

const DISABLED: ErrorReporter = {
  enabled: false,
  report: () => {},
  flush: async () => {},
  close: async () => {},
}

class SentryReporter implements ErrorReporter {
  readonly enabled = true
  private sdk: Promise<{ sdk: Sdk; client: Client }> | undefined
  private readonly inFlight = new Set<Promise<void>>()
  private closed = false

  constructor(private readonly opts: ErrorReporterOptions & { dsn: string }) {}

  report(err: unknown, context: ErrorRequestContext): void {
    if (this.closed) return
    const sent = this.load()
      .then(({ sdk, client }) => {
        const scope = new sdk.Scope()
        scope.setClient(client)
        scope.setTags({ request_id: context.requestId, ...(context.nsid ? { nsid: context.nsid } : {}) })
        if (context.did !== undefined) scope.setUser({ id: context.did })
        const request = {
          method: context.method,
          url: `${this.opts.baseUrl}${context.path}`,
          query_string: scrubQuery(context.query),
        }
        scope.addEventProcessor((event) => ({ ...event, request }))
        scope.captureException(err)
      })
      .catch((failure: unknown) => this.warn('could not report an exception to Sentry', failure))
      .finally(() => this.inFlight.delete(sent))
    this.inFlight.add(sent)
  }

  async flush(timeoutMs = DEFAULT_FLUSH_MS): Promise<void> {
    await Promise.all(this.inFlight)
    if (this.sdk === undefined) return
    const { client } = await this.sdk
    await client.flush(timeoutMs)
  }

  async close(timeoutMs = DEFAULT_FLUSH_MS): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.flush(timeoutMs)
    if (this.sdk !== undefined) await (await this.sdk).client.close(timeoutMs)
  }

  private load(): Promise<{ sdk: Sdk; client: Client }> {
    this.sdk ??= import('@sentry/bun').then((sdk) => {
      const client = new sdk.BunClient({
        dsn: this.opts.dsn,
        release: this.opts.release,
        serverName: this.opts.serverName,
        transport: sdk.makeFetchTransport,
        stackParser: sdk.defaultStackParser,
        // Only what a server-side exception needs: its `cause` chain, no instrumentation.
        integrations: [sdk.linkedErrorsIntegration()],
      })
      client.init()
      return { sdk, client }
    })
    return this.sdk
  }

  private warn(msg: string, failure: unknown): void {
    const text = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure)
    this.opts.logger.warn(msg, { reason: redactDsnKey(text, this.opts.dsn) })
  }
}

/** The query string with the values of secret-looking parameters replaced. */
export function scrubQuery(query: URLSearchParams): string {
  const scrubbed = new URLSearchParams()
  for (const [name, value] of query) scrubbed.append(name, SECRET_PARAM.test(name) ? REDACTED_VALUE : value)
  return scrubbed.toString()
}

function redactDsnKey(text: string, dsn: string): string {
  const key = URL.canParse(dsn) ? new URL(dsn).username : ''
  return key.length > 0 ? text.replaceAll(key, REDACTED_VALUE) : text
}
