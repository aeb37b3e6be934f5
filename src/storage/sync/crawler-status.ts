/**
 * The last answer of each crawler (relay) to our `com.atproto.sync.requestCrawl`, kept so an
 * operator can see whether the relays know about this server (`perlsky admin request-crawl`
 * prints it). One row per crawler URL, overwritten on each attempt; `last_ok_at` survives
 * failures so "it worked yesterday" stays visible.
 */
import type { Statement } from 'bun:sqlite'
import type { Db } from '../database.ts'

export interface CrawlerAttempt {
  readonly url: string
  readonly attemptedAt: string
  readonly ok: boolean
  /** The HTTP status, when the crawler answered at all. */
  readonly httpStatus: number | null
  /** The error, or the start of the crawler's answer when it refused. */
  readonly message: string | null
}

export interface CrawlerStatus extends CrawlerAttempt {
  readonly lastOkAt: string | null
}

interface Row {
  url: string
  attempted_at: string
  ok: number
  http_status: number | null
  message: string | null
  last_ok_at: string | null
}

export class CrawlerStatusRows {
  private readonly upsert: Statement<unknown, [string, string, number, number | null, string | null]>
  private readonly selectAll: Statement<Row, []>

  constructor(db: Db) {
    this.upsert = db.prepare(`
      INSERT INTO crawler_status (url, attempted_at, ok, http_status, message, last_ok_at)
        VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?3 = 1 THEN ?2 END)
      ON CONFLICT (url) DO UPDATE SET
        attempted_at = excluded.attempted_at, ok = excluded.ok, http_status = excluded.http_status,
        message = excluded.message, last_ok_at = coalesce(excluded.last_ok_at, last_ok_at)
    `)
    this.selectAll = db.prepare(
      'SELECT url, attempted_at, ok, http_status, message, last_ok_at FROM crawler_status ORDER BY url',
    )
  }

  record(attempt: CrawlerAttempt): void {
    this.upsert.run(attempt.url, attempt.attemptedAt, attempt.ok ? 1 : 0, attempt.httpStatus, attempt.message)
  }

  list(): CrawlerStatus[] {
    return this.selectAll.all().map((row) => ({
      url: row.url,
      attemptedAt: row.attempted_at,
      ok: row.ok === 1,
      httpStatus: row.http_status,
      message: row.message,
      lastOkAt: row.last_ok_at,
    }))
  }
}
