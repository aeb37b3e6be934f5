/**
 * WAL checkpoints on a worker thread. A checkpoint copies the pages that commits appended to the
 * WAL back into the database file and fsyncs both files; left to SQLite's auto-checkpoint, that
 * runs inside whichever commit crosses the threshold (1000 pages, every ~40 repo writes) and
 * stalls the event loop for several milliseconds, mostly waiting for the two fsyncs.
 *
 * Here a worker with its own connection runs PASSIVE checkpoints shortly after commits, in
 * parallel with the writer (PASSIVE never blocks writers or readers). The WAL can only start over
 * from its beginning once every frame is copied, which a busy writer rarely lets a parallel
 * checkpoint reach, so the writer keeps SQLite's auto-checkpoint as the step that lets the WAL
 * restart, at a higher threshold: by then the worker has copied nearly everything, and what is
 * left on the writer is the short tail and the fsyncs. Durability does not change: every frame
 * still reaches the database file through a checkpoint that fsyncs the WAL first.
 *
 * The worker's code is an inline module because a compiled binary can only start workers from
 * inline sources or from files listed as build entry points. Writer and worker talk through a
 * SharedArrayBuffer, so noting a commit costs an atomic add and no message.
 */

/** Worker-side protocol: a commit counter to wait on, a stop flag, a stopped flag. */
const COMMITS = 0
const STOP = 1
const STOPPED = 2

const WORKER_SOURCE = `
import { Database } from 'bun:sqlite'
const [COMMITS, STOP, STOPPED] = [${COMMITS}, ${STOP}, ${STOPPED}]
self.onmessage = ({ data: { path, state, pauseMs } }) => {
  let db
  let checkpoint
  try {
    db = new Database(path, { readwrite: true, create: false })
    checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
    let seen = 0
    while (Atomics.load(state, STOP) === 0) {
      Atomics.wait(state, COMMITS, seen)
      // Let a burst of commits finish before copying their pages; a stop cuts the pause short.
      if (Atomics.wait(state, STOP, 0, pauseMs) !== 'timed-out') break
      seen = Atomics.load(state, COMMITS)
      checkpoint.get()
    }
  } catch (err) {
    postMessage(String(err?.message ?? err))
  } finally {
    // A statement left unfinalized would keep the connection open after close().
    checkpoint?.finalize()
    db?.close()
    Atomics.store(state, STOPPED, 1)
    Atomics.notify(state, STOPPED)
  }
}
`

export interface WalCheckpointerOptions {
  /** How long the worker lets commits gather before a checkpoint. */
  readonly pauseMs: number
  /** Called (on the event loop) when the worker failed and stopped checkpointing. */
  readonly onFailure: (message: string) => void
}

export class WalCheckpointer {
  readonly #state = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT))
  readonly #worker: Worker
  readonly #sourceUrl: string

  /** Starts the worker for the database file at `path` (which must be in WAL mode). */
  constructor(path: string, opts: WalCheckpointerOptions) {
    this.#sourceUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }))
    // smol: a smaller heap; the worker only ever holds one connection and one statement.
    this.#worker = new Worker(this.#sourceUrl, { smol: true })
    this.#worker.onmessage = (event: MessageEvent<string>) => opts.onFailure(event.data)
    this.#worker.onerror = (event) => opts.onFailure(event.message)
    // Never what keeps a process alive: close() stops it, and an exit without close() loses nothing.
    this.#worker.unref()
    this.#worker.postMessage({ path, state: this.#state, pauseMs: opts.pauseMs })
  }

  /** Tells the worker a transaction committed (an atomic add; no syscall while it is busy). */
  noteCommit(): void {
    Atomics.add(this.#state, COMMITS, 1)
    Atomics.notify(this.#state, COMMITS)
  }

  /**
   * Stops the worker, waiting up to `timeoutMs` for it to finish a checkpoint in progress and
   * close its connection, so the writer's close is the last one (SQLite then removes the WAL).
   */
  stop(timeoutMs: number): void {
    Atomics.store(this.#state, STOP, 1)
    Atomics.notify(this.#state, COMMITS)
    Atomics.notify(this.#state, STOP)
    Atomics.wait(this.#state, STOPPED, 0, timeoutMs)
    this.#worker.terminate()
    URL.revokeObjectURL(this.#sourceUrl)
  }
}
