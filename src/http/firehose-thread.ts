/**
 * The firehose thread (config `firehose_port`; docs/SYNC.md): subscribeRepos served by a worker
 * thread on a listener of its own, so that sending each event to every subscriber never takes
 * the writers' thread. The main thread passes each event the sequencer delivers to the worker
 * (firehose-thread-worker.ts; one message, ~15 µs), which runs a hub of its own over them, with
 * its own database connection for replays. The main listener keeps serving subscribeRepos too;
 * the reverse proxy sends that path to this one.
 * If the worker fails, its subscribers are disconnected (they reconnect with their cursor) and a
 * new worker takes the port a second later.
 */
import type { LogFields, Logger, LogLevel } from '../lib/logger.ts'
import { workerEntryUrl } from '../lib/worker-url.ts'
import type { FirehoseTally } from '../services/metrics/index.ts'
import type { SequencedEvent, Sequencer } from '../services/sequencer/index.ts'

export type ToFirehoseThread =
  | {
      kind: 'start'
      dbPath: string
      host: string
      port: number
      backfillWindowMs: number
      tally: SharedArrayBuffer
    }
  | { kind: 'event'; event: SequencedEvent }
  | { kind: 'stop' }

export type FromFirehoseThread =
  | { kind: 'listening'; port: number }
  | { kind: 'failed'; message: string }
  | { kind: 'log'; level: LogLevel; msg: string; fields: LogFields }
  | { kind: 'stopped' }

export interface FirehoseThreadOptions {
  readonly dbPath: string
  readonly host: string
  /** 0 picks a free port (tests). */
  readonly port: number
  readonly backfillWindowMs: number
  readonly sequencer: Sequencer
  readonly tally: FirehoseTally
  readonly logger: Logger
  /** The worker's entry point; tests of the supervision give a stand-in. */
  readonly workerUrl?: string
}

const WORKER_URL = workerEntryUrl('http/firehose-thread-worker.ts')
/** After a failure, how long before a new worker takes the port; doubled after each failed restart. */
const RESTART_DELAY_MS = 1000
const MAX_RESTART_DELAY_MS = 30_000
/** How long a stop waits for the worker to close its subscriptions and its database connection. */
const STOP_TIMEOUT_MS = 10_000

export class FirehoseThread {
  #worker: Worker | undefined
  #unsubscribe: (() => void) | undefined
  #restartTimer: ReturnType<typeof setTimeout> | undefined
  #port: number
  #stopping = false

  constructor(private readonly opts: FirehoseThreadOptions) {
    this.#port = opts.port
  }

  /** The port the thread listens on (the one it was given, or the one picked for 0). */
  get port(): number {
    return this.#port
  }

  /** Starts the worker and resolves once it listens; rejects when it cannot (port taken). */
  async start(): Promise<void> {
    const worker = new Worker(this.opts.workerUrl ?? WORKER_URL, { smol: true })
    this.#worker = worker
    const listening = Promise.withResolvers<number>()
    let up = false
    worker.onmessage = ({ data }: MessageEvent<FromFirehoseThread>) => {
      if (data.kind === 'listening') listening.resolve(data.port)
      else if (data.kind === 'failed') listening.reject(new Error(`firehose thread: ${data.message}`))
      else if (data.kind === 'log') this.opts.logger[data.level](data.msg, data.fields)
    }
    worker.onerror = (event) => {
      if (up) this.failed(worker, event.message)
      else listening.reject(new Error(`firehose thread: ${event.message}`))
    }
    // Every event from here on; the worker reads what committed before it started from the log.
    this.#unsubscribe ??= this.opts.sequencer.subscribe((event) =>
      this.#worker?.postMessage({ kind: 'event', event } satisfies ToFirehoseThread),
    )
    const { dbPath, host, backfillWindowMs, tally } = this.opts
    worker.postMessage({
      kind: 'start',
      dbPath,
      host,
      port: this.#port,
      backfillWindowMs,
      tally: tally.buffer,
    } satisfies ToFirehoseThread)
    try {
      this.#port = await listening.promise
      up = true
    } catch (err) {
      this.#unsubscribe?.()
      this.#unsubscribe = undefined
      worker.terminate()
      this.#worker = undefined
      throw err
    }
  }

  /** Closes every subscription on the thread, then its listener and database connection. */
  async stop(): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#restartTimer)
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    const worker = this.#worker
    this.#worker = undefined
    if (worker === undefined) return
    const stopped = new Promise<void>((resolve) => {
      worker.addEventListener('message', ({ data }: MessageEvent<FromFirehoseThread>) => {
        if (data.kind === 'stopped') resolve()
      })
      worker.addEventListener('error', () => resolve())
      setTimeout(resolve, STOP_TIMEOUT_MS).unref()
    })
    worker.postMessage({ kind: 'stop' } satisfies ToFirehoseThread)
    await stopped
    worker.terminate()
  }

  private failed(worker: Worker, message: string): void {
    if (worker !== this.#worker || this.#stopping) return
    this.opts.logger.error('the firehose thread failed; restarting it', { error: message })
    worker.terminate()
    this.#worker = undefined
    this.restartAfter(RESTART_DELAY_MS)
  }

  private restartAfter(delayMs: number): void {
    this.#restartTimer = setTimeout(() => {
      if (this.#stopping) return
      this.start().catch((err: unknown) => {
        this.opts.logger.error('the firehose thread could not restart', { error: (err as Error).message })
        this.restartAfter(Math.min(2 * delayMs, MAX_RESTART_DELAY_MS))
      })
    }, delayMs)
    this.#restartTimer.unref()
  }
}
