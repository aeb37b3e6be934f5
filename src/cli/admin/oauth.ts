/**
 * `perlsky admin oauth keys|rotate-key`: the OAuth server's signing keys. Rotation starts
 * signing with a new key at once (a running server picks it up within a minute); the old key
 * stays published until the access tokens it signed have expired, so no session breaks.
 */
import type { Config } from '../../config/schema.ts'
import { SigningKeys } from '../../services/oauth/signing-keys.ts'
import { withOAuthTables } from '../../storage/oauth/open.ts'
import { configCommand, EXIT_OK } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { groupCommand } from '../dispatch.ts'

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
function withKeys<T>(config: Config, body: (keys: SigningKeys) => Promise<T>): Promise<T> {
  const lifetimeMs = config.oauth_access_token_lifetime_seconds * 1000
  return withOAuthTables(config.db_path, (tables) => body(new SigningKeys(tables, lifetimeMs)))
}

const rotateKeyCommand = configCommand({
  name: 'rotate-key',
  summary: 'start signing OAuth tokens with a new key',
  usage: rotateUsage,
  run: async ({ config, io }) => {
    const kid = await withKeys(config, async (keys) => {
      await keys.init()
      return keys.rotate()
    })
    io.stdout(`${kid}\n`)
    return EXIT_OK
  },
})

const keysCommand = configCommand({
  name: 'keys',
  summary: 'list the published OAuth signing keys',
  usage: keysUsage,
  run: async ({ config, io }) => {
    const jwks = await withKeys(config, (keys) => keys.jwks())
    io.stdout(jwks.keys.map((k) => `${k.kid}\n`).join(''))
    return EXIT_OK
  },
})

export const oauthCommand = groupCommand({
  name: 'oauth',
  summary: 'OAuth signing keys: list or rotate (perlsky admin oauth help)',
  intro: 'The OAuth authorization server.',
  commands: [keysCommand, rotateKeyCommand],
})
