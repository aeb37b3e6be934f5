/**
 * `perlsky admin request-crawl [URL]`: asks the configured crawlers (relays), or the one at URL,
 * to crawl this server now, and prints each answer; `--status` prints the last answers recorded
 * (by the server or by this command) without asking again. The server does the same on its own
 * at start-up and after repo activity (docs/SYNC.md).
 */
import { isHttpUrl, stripTrailingSlash } from '../../config/syntax.ts'
import { silentLogger } from '../../lib/logger.ts'
import { createCrawlerNotifier } from '../../services/crawlers/index.ts'
import { Db } from '../../storage/database.ts'
import { migrate } from '../../storage/migrate.ts'
import { type CrawlerAttempt, type CrawlerStatus, CrawlerStatusRows } from '../../storage/sync/index.ts'
import { configCommand, EXIT_FAILURE, EXIT_OK, UsageError } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'

const usage = `usage: perlsky admin request-crawl [URL] [--status] [--config FILE | --dev]

Sends com.atproto.sync.requestCrawl {hostname} to every crawler in the config's \`crawlers\`, or
only to the relay at URL, and prints each answer. Exits 1 when a crawler did not accept.

options:
      --status        print the last answer of each crawler instead of asking again
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

export const requestCrawlCommand = configCommand({
  name: 'request-crawl',
  summary: 'ask the relays to crawl this server, or show their last answers',
  usage,
  flags: { status: { type: 'boolean' } },
  parse: ({ values, positionals }) => {
    const target = parseTarget(positionals)
    if (values.status && target !== undefined) throw new UsageError('--status takes no URL')
    return { target, status: values.status === true }
  },
  run: async ({ args, config, io }) => {
    const crawlers = args.target === undefined ? config.crawlers : [args.target]
    if (!args.status && crawlers.length === 0) {
      throw new UsageError('no crawlers configured (`crawlers` in the config) and no URL given')
    }
    const db = Db.open(config.db_path)
    try {
      migrate(db)
      if (args.status) {
        for (const row of new CrawlerStatusRows(db).list()) io.stdout(`${statusLine(row)}\n`)
        return EXIT_OK
      }
      const notifier = createCrawlerNotifier(config, db, silentLogger(), { crawlers })
      const answers = await notifier.notifyAll()
      for (const answer of answers) io.stdout(`${answerLine(answer)}\n`)
      return answers.every((answer) => answer.ok) ? EXIT_OK : EXIT_FAILURE
    } finally {
      db.close()
    }
  },
})

function parseTarget(positionals: string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`)
  const [url] = positionals
  if (url === undefined) return undefined
  if (!isHttpUrl(url)) throw new UsageError('URL must be an http(s) URL such as https://bsky.network')
  return stripTrailingSlash(url)
}

function answerLine(answer: CrawlerAttempt): string {
  const http = answer.httpStatus === null ? '' : `HTTP ${answer.httpStatus}`
  if (answer.ok) return `${answer.url}: ok (${http})`
  const detail = [http, answer.message].filter(Boolean).join(': ')
  return `${answer.url}: failed (${detail})`
}

function statusLine(row: CrawlerStatus): string {
  const lastOk = row.lastOkAt === null ? 'never' : row.lastOkAt
  return `${answerLine(row)} at ${row.attemptedAt}; last ok: ${lastOk}`
}
