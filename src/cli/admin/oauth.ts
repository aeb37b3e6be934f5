/**
 * `perlsky admin oauth keys|rotate-key`: the OAuth server's signing keys. Rotation starts
 * signing with a new key at once (a running server picks it up within a minute); the old key
 * stays published until the access tokens it signed have expired, so no session breaks.
 */
import { SigningKeys } from '../../services/oauth/signing-keys.ts'
import { withOAuthTables } from '../../storage/oauth/open.ts'
import { type CliCommand, EXIT_OK, expectNoPositionals, parseFlags, runGuarded } from '../command.ts'
import { CONFIG_FLAGS, CONFIG_FLAGS_USAGE, loadCliConfig } from '../config-source.ts'
import { type CommandGroup, dispatch, groupUsage } from '../dispatch.ts'
import { type CliIo, processIo } from '../io.ts'

const rotateUsage = `usage: perlsky admin oauth rotate-key [--config FILE | --dev]

Creates a new ES256 signing key for OAuth access tokens and retires the current one. The retired
key stays in /oauth/jwks until every token it signed has expired. Prints the new key id.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const keysUsage = `usage: perlsky admin oauth keys [--config FILE | --dev]

Lists the key ids published at /oauth/jwks, the one in use first.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

/** Runs `body` with the signing keys of the configured database. */
async function withKeys<T>(
  args: string[],
  usage: string,
  io: CliIo,
  body: (keys: SigningKeys) => Promise<T>,
) {
  const { values, positionals } = parseFlags(args, { ...CONFIG_FLAGS, help: { type: 'boolean', short: 'h' } })
  if (values.help) {
    io.stdout(`${usage}\n`)
    return undefined
  }
  expectNoPositionals(positionals)
  const { config } = loadCliConfig(values, io)
  const lifetimeMs = config.oauth_access_token_lifetime_seconds * 1000
  return withOAuthTables(config.db_path, (tables) => body(new SigningKeys(tables, lifetimeMs)))
}

const rotateKeyCommand: CliCommand = {
  name: 'rotate-key',
  summary: 'start signing OAuth tokens with a new key',
  usage: rotateUsage,
  run: (args, io = processIo()) =>
    runGuarded(io, rotateUsage, async () => {
      const kid = await withKeys(args, rotateUsage, io, async (keys) => {
        await keys.init()
        return keys.rotate()
      })
      if (kid !== undefined) io.stdout(`${kid}\n`)
      return EXIT_OK
    }),
}

const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'list the published OAuth signing keys',
  usage: keysUsage,
  run: (args, io = processIo()) =>
    runGuarded(io, keysUsage, async () => {
      const jwks = await withKeys(args, keysUsage, io, (keys) => keys.jwks())
      if (jwks !== undefined) io.stdout(jwks.keys.map((k) => `${k.kid}\n`).join(''))
      return EXIT_OK
    }),
}

const oauthGroup: CommandGroup = {
  prefix: 'perlsky admin oauth',
  intro: 'The OAuth authorization server.',
  commands: [keysCommand, rotateKeyCommand],
}

export const oauthCommand: CliCommand = {
  name: 'oauth',
  summary: 'OAuth signing keys: list or rotate (perlsky admin oauth help)',
  usage: groupUsage(oauthGroup),
  run: (args, io = processIo()) => dispatch(oauthGroup, args, io),
}
