/** `perlsky serve`: runs the PDS until SIGTERM/SIGINT, then drains requests and closes the database. */
import { createLogger } from '../lib/logger.ts'
import { VERSION } from '../lib/version.ts'
import { createContext } from '../services/context.ts'
import { configCommand, EXIT_OK } from './command.ts'
import { CONFIG_FLAGS_USAGE } from './config-source.ts'
import { waitForShutdownSignal } from './signals.ts'

const usage = `usage: perlsky serve [--config FILE | --dev]

Runs the PDS on the configured host and port until SIGTERM or SIGINT, applying pending database
migrations first. On a signal it stops accepting connections, finishes requests in flight and
exits 0; a second signal exits at once.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

export const serveCommand = configCommand({
  name: 'serve',
  summary: 'run the PDS',
  usage,
  run: async ({ config, configPath, io }) => {
    const logger = createLogger({ level: config.log_level })
    // Loaded here, not at the top: other commands (version, admin ...) need not load the HTTP stack.
    const { startServer } = await import('../http/server.ts')
    const ctx = createContext(config, { logger })
    const server = await startServer(ctx).catch(async (err: unknown) => {
      await ctx.close()
      throw err
    })
    // The binary starts with a raised JIT threshold (build.ts) so run-once startup code is not
    // compiled; from here on the code that runs is request handling, which should be.
    Bun.unsafe.setJITPolicy(1)
    logger.info('perlsky started', {
      version: VERSION,
      config: configPath,
      url: server.url,
      firehose_url: server.firehoseUrl,
      base_url: config.base_url,
    })
    io.stdout(`perlsky ${VERSION} listening on ${server.url} (public URL ${config.base_url})\n`)
    if (server.firehoseUrl) io.stdout(`subscribeRepos also on ${server.firehoseUrl} (the firehose thread)\n`)
    io.stdout(`${accountHint(server.url, config.service_handle_domain, config.invite_code_required)}\n`)
    const signal = await waitForShutdownSignal((again) =>
      logger.warn('second signal, exiting without draining', { signal: again }),
    )
    logger.info('shutting down', { signal })
    try {
      await server.stop()
    } finally {
      await ctx.close()
    }
    logger.info('stopped')
    return EXIT_OK
  },
})

function accountHint(serverUrl: string, handleDomain: string, inviteRequired: boolean): string {
  const url = serverUrl.endsWith('/') ? serverUrl.slice(0, -1) : serverUrl
  const body = JSON.stringify({
    handle: `alice.${handleDomain}`,
    email: 'alice@example.com',
    password: 'correct horse battery staple',
    ...(inviteRequired ? { inviteCode: 'INVITE_CODE' } : {}),
  })
  return (
    `create an account with: curl -X POST ${url}/xrpc/com.atproto.server.createAccount ` +
    `-H 'Content-Type: application/json' -d '${body}'`
  )
}
