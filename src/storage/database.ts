/**
 * The one SQLite database (docs/ARCHITECTURE.md, decision 1). WAL lets readers run beside the
 * writer; busy_timeout lets a second process (an admin command next to the server) wait for the
 * write lock instead of failing with SQLITE_BUSY; synchronous=NORMAL is durable in WAL mode up to
 * the last checkpointed commit and much faster than FULL. Writes use BEGIN IMMEDIATE so a
 * transaction takes the write lock up front: a deferred transaction that reads first and then
 * writes can fail mid-way with SQLITE_BUSY when another connection wrote in between.
 */
import { Database, type SQLQueryBindings, type Statement } from 'bun:sqlite'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export const BUSY_TIMEOUT_MS = 5000

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
}

export class Db {
  readonly path: string
  readonly raw: Database
  /** Told each outermost `transaction`'s duration in ms, lock wait included (the metrics). */
  transactionObserver: ((ms: number, committed: boolean) => void) | undefined = undefined

  private constructor(path: string, raw: Database) {
    this.path = path
    this.raw = raw
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
    const observe = this.transactionObserver
    // Savepoints are part of their outer transaction, which is the one timed.
    if (observe === undefined || this.raw.inTransaction) return this.raw.transaction(fn).immediate()
    const start = performance.now()
    let committed = false
    try {
      const result = this.raw.transaction(fn).immediate()
      committed = true
      return result
    } finally {
      observe(performance.now() - start, committed)
    }
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

  /** Closes the connection; safe to call twice. */
  close(): void {
    this.raw.close()
  }
}
