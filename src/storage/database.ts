/**
 * The one SQLite database (docs/ARCHITECTURE.md, decision 1). WAL lets readers run beside the
 * writer; busy_timeout lets a second process (an admin command next to the server) wait for the
 * write lock instead of failing with SQLITE_BUSY; synchronous=NORMAL is durable in WAL mode up to
 * the last checkpointed commit and much faster than FULL. Writes use BEGIN IMMEDIATE so a
 * transaction takes the write lock up front: a deferred transaction that reads first and then
 * writes can fail mid-way with SQLITE_BUSY when another connection wrote in between.
 * WAL checkpoints run on a worker thread (wal-checkpointer.ts) that the first write transaction
 * of a database file starts.
 */
import { Database, type SQLQueryBindings, type Statement } from 'bun:sqlite'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { WalCheckpointer } from './wal-checkpointer.ts'

export const BUSY_TIMEOUT_MS = 5000

/** SQLite's default auto-checkpoint threshold in pages: what applies without the worker. */
const AUTOCHECKPOINT_PAGES = 1000
/** The writer's own auto-checkpoint beside the worker, which lets the WAL restart (16 MiB). */
const WAL_RESTART_PAGES = 4000
const CHECKPOINT_PAUSE_MS = 20

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
}

export class Db {
  readonly path: string
  readonly raw: Database
  /** Told each outermost `transaction`'s duration in ms, lock wait included (the metrics). */
  transactionObserver: ((ms: number, committed: boolean) => void) | undefined = undefined
  /** Callbacks for the commit of the open transaction; undefined outside `transaction()`. */
  #onCommit: (() => void)[] | undefined
  #checkpointer: WalCheckpointer | undefined
  /** No checkpoint worker (any more): in memory, closed, or the worker failed. */
  #noWorker: boolean

  private constructor(path: string, raw: Database) {
    this.path = path
    this.raw = raw
    this.#noWorker = path === ':memory:'
  }

  /** Opens (creating if needed) the database file and its parent directory, and sets the pragmas. */
  static open(path: string): Db {
    let raw: Database | undefined
    try {
      const isFile = path !== ':memory:'
      if (isFile) mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      const isNew = isFile && !existsSync(path)
      raw = new Database(path, { create: true, strict: true })
      // The database will hold password hashes and signing keys; SQLite gives its -wal and -shm
      // files the same mode as the database file.
      if (isNew) chmodSync(path, 0o600)
      // busy_timeout first: switching to WAL needs a lock another process may hold.
      raw.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
      raw.run('PRAGMA journal_mode = WAL')
      raw.run('PRAGMA synchronous = NORMAL')
      raw.run('PRAGMA foreign_keys = ON')
      return new Db(path, raw)
    } catch (err) {
      raw?.close()
      throw new DatabaseUnavailableError(`cannot open database at ${path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }

  /** A prepared statement, compiled once per SQL text and reused (bun:sqlite's query cache). */
  prepare<Row = unknown, Params extends SQLQueryBindings[] = SQLQueryBindings[]>(
    sql: string,
  ): Statement<Row, Params> {
    // Params is already a tuple, so bun's `Params extends any[] ? Params : [Params]` is Params.
    return this.raw.query<Row, Params>(sql) as Statement<Row, Params>
  }

  /** Runs SQL that returns no rows and takes no parameters (DDL in migrations). */
  exec(sql: string): void {
    this.raw.run(sql)
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it throws. `fn` must be
   * synchronous: an await inside would let other work interleave with the open transaction.
   * Nested calls become savepoints.
   */
  transaction<T>(fn: () => T): T {
    // Savepoints are part of their outer transaction, which is the one timed.
    if (this.raw.inTransaction) return this.savepoint(fn)
    const observe = this.transactionObserver
    const start = observe === undefined ? 0 : performance.now()
    const callbacks: (() => void)[] = []
    this.#onCommit = callbacks
    let committed = false
    let result: T
    try {
      result = this.raw.transaction(fn).immediate()
      committed = true
    } finally {
      this.#onCommit = undefined
      observe?.(performance.now() - start, committed)
    }
    this.wakeCheckpointer()
    for (const callback of callbacks) callback()
    return result
  }

  /**
   * Runs `callback` right after the open transaction commits, and never if it rolls back (a
   * savepoint that rolls back drops the callbacks registered inside it). Returns false, and
   * registers nothing, when the open transaction was not begun by `transaction()`.
   * Callbacks must not throw: the transaction has committed by the time they run.
   */
  onCommit(callback: () => void): boolean {
    if (!this.#onCommit) return false
    this.#onCommit.push(callback)
    return true
  }

  /** Throws DatabaseUnavailableError when the database cannot answer a trivial query. */
  healthCheck(): void {
    try {
      this.raw.query('SELECT 1').get()
    } catch (err) {
      throw new DatabaseUnavailableError(
        `database at ${this.path} is unavailable: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
  }

  /** Closes the connection (after stopping the checkpoint worker); safe to call twice. */
  close(): void {
    this.#noWorker = true
    this.#checkpointer?.stop(BUSY_TIMEOUT_MS)
    this.#checkpointer = undefined
    this.raw.close()
  }

  private savepoint<T>(fn: () => T): T {
    const callbacks = this.#onCommit
    const mark = callbacks?.length ?? 0
    try {
      return this.raw.transaction(fn).immediate()
    } catch (err) {
      callbacks?.splice(mark)
      throw err
    }
  }

  /** Tells the checkpoint worker about a commit, starting it on the first one. */
  private wakeCheckpointer(): void {
    if (this.#noWorker) return
    this.#checkpointer ??= this.startCheckpointer()
    this.#checkpointer.noteCommit()
  }

  private startCheckpointer(): WalCheckpointer {
    this.raw.run(`PRAGMA wal_autocheckpoint = ${WAL_RESTART_PAGES}`)
    return new WalCheckpointer(this.path, {
      pauseMs: CHECKPOINT_PAUSE_MS,
      // Without the worker, commits checkpoint as SQLite does by default.
      onFailure: () => {
        if (this.#noWorker) return
        this.#noWorker = true
        this.#checkpointer?.stop(0)
        this.#checkpointer = undefined
        this.raw.run(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
      },
    })
  }
}
