/**
 * The config file schema: snake_case keys exactly as in the seed's DEPLOYMENT.md, plus the keys
 * perlsky added since (grouped by prefix, units in the name). Messages describe what is wrong and
 * never quote the value, because several values are secrets. Defaults that depend on other keys
 * (hostname, db_path) and relative paths are settled in load.ts, which knows the config directory.
 */
import { z } from 'zod'
import {
  isDid,
  isDidKey,
  isDomainName,
  isEmailAddress,
  isHttpOrigin,
  isHttpUrl,
  isSecp256k1PrivateKeyHex,
  isSentryDsn,
  normalizeDomain,
  stripTrailingSlash,
} from './syntax.ts'

/** The old fallback secret of the Perl implementation; public, so never acceptable. */
export const OLD_DEV_JWT_SECRET = 'perlsky-dev-secret'
export const MIN_JWT_SECRET_LENGTH = 16

/** Keys whose values are never logged or printed (sentry_dsn is only partly secret: its key). */
export const SECRET_KEYS = [
  'jwt_secret',
  'admin_password',
  'metrics_token',
  'plc_rotation_private_key_hex',
  'sentry_dsn',
  'email_smtp_url',
  'rate_limit_bypass_key',
] as const

/** The largest accepted repo_import_limit (the HTTP layer's request-size ceiling for importRepo). */
export const MAX_REPO_IMPORT_LIMIT = 16 * 1024 ** 3

const httpUrl = () =>
  z
    .string()
    .refine(isHttpUrl, 'must be an http(s) URL without credentials, query or fragment')
    .transform(stripTrailingSlash)

const did = () => z.string().refine(isDid, 'must be a DID (did:method:identifier)')

const positiveInt = (unit: string) =>
  z.number().refine((n) => Number.isSafeInteger(n) && n > 0, `must be a positive whole number of ${unit}`)

const nonEmpty = () => z.string().refine((s) => s.length > 0, 'must not be empty')

/** Values in ops/perlsky.example.json that must be replaced before use. */
const PLACEHOLDER_PREFIX = 'REPLACE_WITH_'

function secretProblem(s: string): string | undefined {
  if (s.length === 0) return 'must not be empty'
  if (s.startsWith(PLACEHOLDER_PREFIX)) return 'is still the placeholder from the example config'
  return undefined
}

function jwtSecretProblem(s: string): string | undefined {
  const problem = secretProblem(s)
  if (problem !== undefined) return problem
  if (s === OLD_DEV_JWT_SECRET) {
    return 'is the old public development fallback; generate one with `openssl rand -hex 32`'
  }
  if (s.length < MIN_JWT_SECRET_LENGTH) return `must be at least ${MIN_JWT_SECRET_LENGTH} characters long`
  return undefined
}

/** An SMTP server URL: smtp:// (STARTTLS when the server offers it) or smtps:// (TLS), with a host. */
function smtpUrlProblem(s: string): string | undefined {
  if (s.includes(PLACEHOLDER_PREFIX)) return 'is still the placeholder from the example config'
  const url = URL.canParse(s) ? new URL(s) : undefined
  if (url !== undefined && (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname)
    return undefined
  return 'must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.com:465'
}

const checkedString = (problemOf: (s: string) => string | undefined) =>
  z.string().superRefine((s, ctx) => {
    const message = problemOf(s)
    if (message !== undefined) ctx.addIssue({ code: 'custom', message })
  })

const portNumber = () =>
  z
    .number()
    .refine((n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'must be a whole number from 0 to 65535')

const fields = {
  host: nonEmpty().default('127.0.0.1'),
  port: portNumber().default(7755),
  // subscribeRepos on a thread and listener of its own (docs/SYNC.md); unset: the main listener only.
  firehose_port: portNumber().optional(),
  base_url: z
    .string()
    .refine(isHttpOrigin, 'must be an http(s) origin such as https://pds.example.com (no path or query)')
    .transform((s) => new URL(s).origin),
  hostname: z
    .string()
    .transform(normalizeDomain)
    .refine(isDomainName, 'must be a host name such as pds.example.com')
    .optional(),
  service_did_method: z.literal('did:web', { error: 'must be "did:web"' }).default('did:web'),
  service_handle_domain: z
    .string()
    .transform(normalizeDomain)
    .refine(isDomainName, 'must be a domain such as pds.example.com'),
  invite_code_required: z.boolean().default(false),
  account_did_method: z
    .enum(['did:plc', 'did:web'], { error: 'must be "did:plc" or "did:web"' })
    .default('did:plc'),
  plc_rotation_private_key_hex: z
    .string()
    .transform((s) => s.toLowerCase())
    .refine(isSecp256k1PrivateKeyHex, 'must be 64 hex characters encoding a secp256k1 private key')
    .optional(),
  plc_recovery_did_key: z.string().refine(isDidKey, 'must be a did:key (did:key:z...)').optional(),
  plc_url: httpUrl().default('https://plc.directory'),
  jwt_secret: checkedString(jwtSecretProblem),
  admin_password: checkedString(secretProblem).optional(),
  metrics_token: checkedString(secretProblem).optional(),
  sentry_dsn: z
    .string()
    .refine(isSentryDsn, 'must be a Sentry DSN such as https://KEY@o0.ingest.sentry.io/0')
    .optional(),
  // The reference PDS's XRPC rate limits (docs/RATE-LIMITS.md); requests carrying the bypass key
  // in x-ratelimit-bypass (the operator's own tools) are not limited.
  rate_limits_enabled: z.boolean().default(true),
  rate_limit_bypass_key: checkedString(secretProblem).optional(),
  bsky_appview_url: httpUrl().default('https://api.bsky.app'),
  bsky_appview_did: did().default('did:web:api.bsky.app'),
  chat_service_url: httpUrl().default('https://api.bsky.chat'),
  chat_service_did: did().default('did:web:api.bsky.chat'),
  // Where com.atproto.moderation.createReport goes: Bluesky's moderation service, as the
  // reference PDS distribution configures it (docs/PROXY.md). "" keeps reports on this server
  // instead, for the operator to read with `perlsky admin report` (docs/ADMIN.md).
  report_service_url: z.union([z.literal(''), httpUrl()]).default('https://mod.bsky.app'),
  report_service_did: did().default('did:plc:ar7c4by46qjdydhdevvrndac'),
  // One deadline for a whole proxied exchange with an upstream service (docs/PROXY.md).
  proxy_timeout_ms: z
    .number()
    .refine(
      (n) => Number.isInteger(n) && n >= 100 && n <= 600_000,
      'must be a whole number of milliseconds from 100 to 600000',
    )
    .default(30_000),
  crawlers: z.array(httpUrl()).default([]),
  crawler_notify_interval: positiveInt('seconds').default(1200),
  subscription_backfill_window_seconds: positiveInt('seconds').default(259_200),
  data_dir: nonEmpty(),
  db_path: nonEmpty().optional(),
  testing_auto_confirm_email: z.boolean().default(false),
  testing_allow_unauthenticated_email_confirm: z.boolean().default(false),
  contact_email_address: z.string().refine(isEmailAddress, 'must be an email address').optional(),
  email_smtp_url: checkedString(smtpUrlProblem).optional(),
  email_from_address: z.string().refine(isEmailAddress, 'must be an email address').optional(),
  privacy_policy_url: httpUrl().optional(),
  terms_of_service_url: httpUrl().optional(),
  blob_upload_limit: positiveInt('bytes').default(104_857_600),
  // OAuth access tokens are checked against their session on every request (so revocable);
  // the OAuth spec still asks for lifetimes under 30 minutes.
  oauth_access_token_lifetime_seconds: z
    .number()
    .refine(
      (n) => Number.isInteger(n) && n >= 60 && n <= 1800,
      'must be a whole number of seconds from 60 to 1800',
    )
    .default(900),
  repo_import_limit: positiveInt('bytes')
    .refine((n) => n <= MAX_REPO_IMPORT_LIMIT, `must be at most ${MAX_REPO_IMPORT_LIMIT} bytes (16 GiB)`)
    .default(536_870_912),
  log_level: z
    .enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })
    .default('info'),
}

/** Every key the config file may contain. */
export const CONFIG_KEYS: readonly string[] = Object.keys(fields)

export const configSchema = z.object(fields).superRefine(
  (value, ctx) => {
    // Runs even when other keys failed (see `when`), so every problem is reported in one go.
    const raw = value as Record<string, unknown>
    if (raw.account_did_method === 'did:plc' && raw.plc_rotation_private_key_hex === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['plc_rotation_private_key_hex'],
        message: 'is required when account_did_method is "did:plc"',
      })
    }
    if (raw.firehose_port !== undefined && raw.firehose_port !== 0 && raw.firehose_port === raw.port) {
      ctx.addIssue({ code: 'custom', path: ['firehose_port'], message: 'must differ from port' })
    }
    // Email needs both the server and the sender address; one without the other is a mistake.
    for (const [key, other] of [
      ['email_smtp_url', 'email_from_address'],
      ['email_from_address', 'email_smtp_url'],
    ] as const) {
      if (raw[key] !== undefined && raw[other] === undefined) {
        ctx.addIssue({ code: 'custom', path: [other], message: `is required when ${key} is set` })
      }
    }
  },
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
)

type Parsed = z.output<typeof configSchema>

/** The validated config: every default applied, paths absolute, deeply frozen. */
export type Config = Readonly<
  Omit<Parsed, 'hostname' | 'db_path' | 'crawlers'> & {
    hostname: string
    db_path: string
    crawlers: readonly string[]
  }
>
