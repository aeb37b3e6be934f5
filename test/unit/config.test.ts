import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildDevConfig } from '../../src/config/dev.ts'
import { ConfigError, configWarnings, loadConfig, redactConfig } from '../../src/config/load.ts'
import { CONFIG_KEYS, OLD_DEV_JWT_SECRET } from '../../src/config/schema.ts'
import { isTrustedProxyAddress } from '../../src/config/trust-proxy.ts'

const SECRETS = {
  jwt_secret: 'jwt-secret-value-0123456789abcdef',
  admin_password: 'admin-password-value-xyz',
  metrics_token: 'metrics-token-value-xyz',
  plc_rotation_private_key_hex: 'a'.repeat(64),
  sentry_dsn: 'https://sentrypublickey123@o0.ingest.sentry.io/42',
  email_smtp_url: 'smtps://mailer:smtp-password-xyz@smtp.example.com:465',
  rate_limit_bypass_key: 'rate-limit-bypass-value-xyz',
}

const EMAIL_FROM = { email_from_address: 'noreply@pds.example.com' }

const MINIMAL = {
  base_url: 'https://pds.example.com',
  service_handle_domain: 'pds.example.com',
  plc_rotation_private_key_hex: SECRETS.plc_rotation_private_key_hex,
  jwt_secret: SECRETS.jwt_secret,
  data_dir: '/var/lib/perlsky/data',
}

function problemsOf(json: unknown, dir = '/etc/perlsky'): string[] {
  try {
    loadConfig(json, dir)
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems]
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig defaults', () => {
  const config = loadConfig(MINIMAL, '/etc/perlsky')

  test('fills every optional key with its documented default', () => {
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 7755,
      hostname: 'pds.example.com',
      service_did_method: 'did:web',
      invite_code_required: false,
      account_did_method: 'did:plc',
      plc_url: 'https://plc.directory',
      bsky_appview_url: 'https://api.bsky.app',
      bsky_appview_did: 'did:web:api.bsky.app',
      chat_service_url: 'https://api.bsky.chat',
      chat_service_did: 'did:web:api.bsky.chat',
      report_service_url: 'https://mod.bsky.app',
      report_service_did: 'did:plc:ar7c4by46qjdydhdevvrndac',
      proxy_timeout_ms: 30000,
      rate_limits_enabled: true,
      crawlers: [],
      crawler_notify_interval: 1200,
      db_path: '/var/lib/perlsky/data/perlsky.sqlite',
      testing_auto_confirm_email: false,
      testing_allow_unauthenticated_email_confirm: false,
      blob_upload_limit: 104857600,
      repo_import_limit: 536870912,
      log_level: 'info',
    })
    expect(config.admin_password).toBeUndefined()
    expect(config.sentry_dsn).toBeUndefined()
    expect(config.rate_limit_bypass_key).toBeUndefined()
  })

  test('returns a deeply frozen object', () => {
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.crawlers)).toBe(true)
  })

  test('accepts the seed example config with real values', () => {
    const seed = {
      ...MINIMAL,
      host: '127.0.0.1',
      port: 7755,
      hostname: 'pds.example.com',
      service_did_method: 'did:web',
      service_handle_domain: 'example.com',
      invite_code_required: false,
      account_did_method: 'did:plc',
      admin_password: SECRETS.admin_password,
      metrics_token: SECRETS.metrics_token,
      sentry_dsn: SECRETS.sentry_dsn,
      crawlers: ['https://bsky.network'],
      crawler_notify_interval: 1200,
      db_path: '/var/lib/perlsky/perlsky.sqlite',
    }
    expect(loadConfig(seed, '/etc/perlsky').db_path).toBe('/var/lib/perlsky/perlsky.sqlite')
    expect(configWarnings(seed)).toEqual([])
  })
})

describe('loadConfig normalization', () => {
  test('resolves relative data_dir and db_path against the config directory', () => {
    const config = loadConfig({ ...MINIMAL, data_dir: 'data', db_path: '../db/pds.sqlite' }, '/etc/perlsky')
    expect(config.data_dir).toBe('/etc/perlsky/data')
    expect(config.db_path).toBe('/etc/db/pds.sqlite')
  })

  test('puts the default db_path inside a relative data_dir', () => {
    expect(loadConfig({ ...MINIMAL, data_dir: './d' }, '/srv').db_path).toBe('/srv/d/perlsky.sqlite')
  })

  test('lower-cases service_handle_domain and strips a leading dot', () => {
    expect(
      loadConfig({ ...MINIMAL, service_handle_domain: '.PDS.Example.com' }, '/').service_handle_domain,
    ).toBe('pds.example.com')
  })

  test('reduces base_url to its origin and drops trailing slashes from URLs', () => {
    const config = loadConfig(
      {
        ...MINIMAL,
        base_url: 'https://PDS.example.com/',
        plc_url: 'https://plc.example/',
        crawlers: ['https://r.example/'],
      },
      '/',
    )
    expect(config.base_url).toBe('https://pds.example.com')
    expect(config.plc_url).toBe('https://plc.example')
    expect(config.crawlers).toEqual(['https://r.example'])
  })

  test('derives hostname from base_url unless given', () => {
    expect(loadConfig({ ...MINIMAL, base_url: 'http://localhost:2583' }, '/').hostname).toBe('localhost')
    expect(loadConfig({ ...MINIMAL, hostname: 'Relay.Example.com' }, '/').hostname).toBe('relay.example.com')
  })

  test('does not require the PLC rotation key for did:web accounts', () => {
    const { plc_rotation_private_key_hex: _, ...rest } = MINIMAL
    expect(loadConfig({ ...rest, account_did_method: 'did:web' }, '/').account_did_method).toBe('did:web')
  })
})

describe('loadConfig errors', () => {
  const required = ['base_url', 'service_handle_domain', 'jwt_secret', 'data_dir']
  for (const key of required) {
    test(`reports a missing ${key}`, () => {
      const { [key]: _, ...rest } = MINIMAL as Record<string, unknown>
      expect(problemsOf(rest)).toEqual([`config error: ${key}: is required`])
    })
  }

  test('requires plc_rotation_private_key_hex when account_did_method is did:plc', () => {
    const { plc_rotation_private_key_hex: _, ...rest } = MINIMAL
    expect(problemsOf(rest)).toEqual([
      'config error: plc_rotation_private_key_hex: is required when account_did_method is "did:plc"',
    ])
  })

  test('takes a firehose_port apart from port, and refuses the same one', () => {
    expect(loadConfig({ ...MINIMAL, port: 7755, firehose_port: 7756 }, '/etc/perlsky').firehose_port).toBe(
      7756,
    )
    expect(problemsOf({ ...MINIMAL, port: 7755, firehose_port: 7755 })).toEqual([
      'config error: firehose_port: must differ from port',
    ])
  })

  const wrongTypes: [string, unknown, string][] = [
    ['host', 5, 'must be a string, not a number'],
    ['port', '7755', 'must be a number, not a string'],
    ['port', 70000, 'must be a whole number from 0 to 65535'],
    ['port', 1.5, 'must be a whole number from 0 to 65535'],
    ['firehose_port', 65536, 'must be a whole number from 0 to 65535'],
    ['base_url', 'https://pds.example.com/xrpc', 'must be an http(s) origin'],
    ['base_url', 'ftp://pds.example.com', 'must be an http(s) origin'],
    ['hostname', 'not a host', 'must be a host name'],
    ['service_did_method', 'did:plc', 'must be "did:web"'],
    ['service_handle_domain', 'bad_domain!', 'must be a domain'],
    ['invite_code_required', 'yes', 'must be a boolean, not a string'],
    ['account_did_method', 'did:key', 'must be "did:plc" or "did:web"'],
    ['plc_rotation_private_key_hex', 'abc', 'must be 64 hex characters'],
    ['plc_rotation_private_key_hex', '0'.repeat(64), 'must be 64 hex characters'],
    ['plc_recovery_did_key', 'did:web:example.com', 'must be a did:key'],
    ['plc_url', 'plc.directory', 'must be an http(s) URL'],
    ['jwt_secret', 42, 'must be a string, not a number'],
    ['admin_password', '', 'must not be empty'],
    ['metrics_token', null, 'must be a string, not null'],
    ['sentry_dsn', 'https://o0.ingest.sentry.io/0', 'must be a Sentry DSN'],
    ['rate_limits_enabled', 'no', 'must be a boolean, not a string'],
    ['rate_limit_bypass_key', '', 'must not be empty'],
    ['bsky_appview_url', 'https://user:pw@api.bsky.app', 'must be an http(s) URL'],
    ['bsky_appview_did', 'api.bsky.app', 'must be a DID'],
    ['chat_service_url', 7, 'must be a string, not a number'],
    ['chat_service_did', 'did:web:', 'must be a DID'],
    ['crawlers', 'https://bsky.network', 'must be an array, not a string'],
    ['crawler_notify_interval', 0, 'must be a positive whole number of seconds'],
    ['data_dir', '', 'must not be empty'],
    ['db_path', [], 'must be a string, not an array'],
    ['testing_auto_confirm_email', 1, 'must be a boolean, not a number'],
    ['testing_allow_unauthenticated_email_confirm', 'true', 'must be a boolean, not a string'],
    ['contact_email_address', 'nobody', 'must be an email address'],
    ['privacy_policy_url', 'javascript:alert(1)', 'must be an http(s) URL'],
    ['terms_of_service_url', {}, 'must be a string, not an object'],
    ['blob_upload_limit', -1, 'must be a positive whole number of bytes'],
    ['repo_import_limit', 0, 'must be a positive whole number of bytes'],
    ['repo_import_limit', 17 * 1024 ** 3, 'must be at most 17179869184 bytes (16 GiB)'],
    ['log_level', 'verbose', 'must be one of debug, info, warn, error'],
  ]
  for (const [key, value, message] of wrongTypes) {
    test(`rejects ${key} = ${JSON.stringify(value)}`, () => {
      const problems = problemsOf({ ...MINIMAL, [key]: value })
      expect(problems).toHaveLength(1)
      expect(problems[0]).toStartWith(`config error: ${key}: ${message}`)
    })
  }

  test('names the element of an array that is wrong', () => {
    expect(problemsOf({ ...MINIMAL, crawlers: ['https://ok.example', 'nope'] })).toEqual([
      'config error: crawlers[1]: must be an http(s) URL without credentials, query or fragment',
    ])
  })

  test('refuses the old development jwt_secret and secrets shorter than 16 characters', () => {
    expect(problemsOf({ ...MINIMAL, jwt_secret: OLD_DEV_JWT_SECRET })[0]).toStartWith(
      'config error: jwt_secret: is the old public development fallback',
    )
    expect(problemsOf({ ...MINIMAL, jwt_secret: 'short' })).toEqual([
      'config error: jwt_secret: must be at least 16 characters long',
    ])
    expect(problemsOf({ ...MINIMAL, jwt_secret: '' })).toEqual([
      'config error: jwt_secret: must not be empty',
    ])
  })

  test('reports every problem at once, cross-key checks included', () => {
    const problems = problemsOf({ port: 'x', base_url: 'nope', log_level: 'loud' })
    expect(problems).toEqual([
      'config error: port: must be a number, not a string',
      'config error: base_url: must be an http(s) origin such as https://pds.example.com (no path or query)',
      'config error: service_handle_domain: is required',
      'config error: jwt_secret: is required',
      'config error: data_dir: is required',
      'config error: log_level: must be one of debug, info, warn, error',
      'config error: plc_rotation_private_key_hex: is required when account_did_method is "did:plc"',
    ])
  })

  test('rejects a file that is not a JSON object', () => {
    for (const json of [null, [], 'text', 3]) {
      expect(problemsOf(json)).toEqual(['config error: (file): must be a JSON object of settings'])
    }
  })

  test('never puts a secret value into an error message', () => {
    const badSecrets = [
      { ...MINIMAL, jwt_secret: 'shortsecret' },
      { ...MINIMAL, jwt_secret: OLD_DEV_JWT_SECRET },
      { ...MINIMAL, plc_rotation_private_key_hex: 'secretkeymaterial' },
      { ...MINIMAL, sentry_dsn: 'sentrysecretdsn' },
      { ...MINIMAL, admin_password: 12345678, metrics_token: ['metricssecret'] },
    ]
    for (const json of badSecrets) {
      const text = problemsOf(json).join('\n')
      for (const value of [
        'shortsecret',
        OLD_DEV_JWT_SECRET,
        'secretkeymaterial',
        'sentrysecretdsn',
        '12345678',
      ]) {
        expect(text).not.toContain(value)
      }
      expect(text).not.toContain('metricssecret')
      expect(text).not.toContain(SECRETS.jwt_secret)
    }
  })
})

describe('configWarnings', () => {
  test('warns about unknown keys instead of failing', () => {
    const json = { ...MINIMAL, jwt_secert: 'typo', MOJO_MODE: 'production' }
    expect(configWarnings(json)).toEqual([
      'config warning: unknown key "jwt_secert" (ignored)',
      'config warning: unknown key "MOJO_MODE" (ignored)',
    ])
    expect(loadConfig(json, '/').jwt_secret).toBe(SECRETS.jwt_secret)
  })

  test('warns when a testing knob is on for a public https origin', () => {
    expect(configWarnings({ ...MINIMAL, testing_auto_confirm_email: true })).toEqual([
      'config warning: testing_auto_confirm_email: is on for a public https base_url; leave it off in production',
    ])
    expect(
      configWarnings({ ...MINIMAL, base_url: 'http://localhost:2583', testing_auto_confirm_email: true }),
    ).toEqual([])
  })

  test('knows every key of the schema', () => {
    expect(CONFIG_KEYS).toContain('plc_rotation_private_key_hex')
    expect(configWarnings(Object.fromEntries(CONFIG_KEYS.map((k) => [k, null])))).toEqual([])
  })
})

describe('email settings', () => {
  test('are optional: without them email goes to the outbox only', () => {
    const config = loadConfig(MINIMAL, '/')
    expect(config.email_smtp_url).toBeUndefined()
    expect(config.email_from_address).toBeUndefined()
  })

  test('accept smtp:// and smtps:// URLs with a host', () => {
    for (const url of [
      'smtp://127.0.0.1:2525',
      'smtps://user:pass@smtp.example.com:465',
      'smtp://mail.example.com',
    ]) {
      expect(loadConfig({ ...MINIMAL, ...EMAIL_FROM, email_smtp_url: url }, '/').email_smtp_url).toBe(url)
    }
  })

  test('refuse other URLs without echoing them', () => {
    for (const url of ['https://smtp.example.com', 'smtp://', 'user:secret@smtp.example.com']) {
      const problems = problemsOf({ ...MINIMAL, ...EMAIL_FROM, email_smtp_url: url })
      expect(problems).toEqual([
        'config error: email_smtp_url: must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.com:465',
      ])
      expect(problems.join('\n')).not.toContain('secret')
    }
  })

  test('come together: each needs the other', () => {
    expect(problemsOf({ ...MINIMAL, email_smtp_url: 'smtp://127.0.0.1:2525' })).toEqual([
      'config error: email_from_address: is required when email_smtp_url is set',
    ])
    expect(problemsOf({ ...MINIMAL, ...EMAIL_FROM })).toEqual([
      'config error: email_smtp_url: is required when email_from_address is set',
    ])
    expect(
      problemsOf({ ...MINIMAL, email_smtp_url: 'smtp://x.example', email_from_address: 'nope' }),
    ).toEqual(['config error: email_from_address: must be an email address'])
  })
})

describe('redactConfig', () => {
  test('hides every secret and keeps only the host and project of the Sentry DSN', () => {
    const config = loadConfig({ ...MINIMAL, ...SECRETS, ...EMAIL_FROM }, '/')
    const text = JSON.stringify(redactConfig(config))
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value)
    expect(redactConfig(config)).toMatchObject({
      jwt_secret: '[redacted]',
      admin_password: '[redacted]',
      metrics_token: '[redacted]',
      plc_rotation_private_key_hex: '[redacted]',
      sentry_dsn: 'https://[redacted]@o0.ingest.sentry.io/42',
      email_smtp_url: '[redacted]',
      rate_limit_bypass_key: '[redacted]',
      email_from_address: 'noreply@pds.example.com',
      base_url: 'https://pds.example.com',
    })
  })
})

describe('dev config', () => {
  test('is a valid config for http://localhost:2583 with handles under .test', () => {
    const config = loadConfig(buildDevConfig(), '/home/dev/perlsky/data')
    expect(config).toMatchObject({
      base_url: 'http://localhost:2583',
      port: 2583,
      host: '127.0.0.1',
      service_handle_domain: 'test',
      account_did_method: 'did:web',
      invite_code_required: false,
      testing_auto_confirm_email: true,
      testing_allow_unauthenticated_email_confirm: true,
      data_dir: '/home/dev/perlsky/data',
      db_path: '/home/dev/perlsky/data/perlsky.sqlite',
    })
  })

  test('generates fresh secrets each time', () => {
    const a = buildDevConfig()
    const b = buildDevConfig()
    expect(a.jwt_secret).not.toBe(b.jwt_secret)
    expect(a.plc_rotation_private_key_hex).not.toBe(b.plc_rotation_private_key_hex)
  })
})

describe('trusted proxies', () => {
  test('trusts loopback peers only', () => {
    for (const addr of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(isTrustedProxyAddress(addr)).toBe(true)
    }
    for (const addr of ['10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', '2001:db8::1', '1127.0.0.1']) {
      expect(isTrustedProxyAddress(addr)).toBe(false)
    }
  })
})

describe('ops/perlsky.example.json', () => {
  const example = JSON.parse(readFileSync(join(import.meta.dir, '../../ops/perlsky.example.json'), 'utf8'))

  test('names only known keys', () => {
    expect(configWarnings(example)).toEqual([])
  })

  test('is refused until its placeholders are replaced', () => {
    expect(problemsOf(example)).toEqual([
      'config error: plc_rotation_private_key_hex: must be 64 hex characters encoding a secp256k1 private key',
      'config error: jwt_secret: is still the placeholder from the example config',
      'config error: admin_password: is still the placeholder from the example config',
      'config error: metrics_token: is still the placeholder from the example config',
      'config error: rate_limit_bypass_key: is still the placeholder from the example config',
      'config error: email_smtp_url: is still the placeholder from the example config',
    ])
  })

  test('is valid once the placeholders are replaced', () => {
    const filled = { ...example, ...SECRETS }
    expect(loadConfig(filled, '/etc/perlsky').service_handle_domain).toBe('pds.example.com')
  })
})
