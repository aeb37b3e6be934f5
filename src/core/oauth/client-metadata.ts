/**
 * Validation of a client metadata document (oauth.md "Client ID Metadata Document";
 * draft-parecki-oauth-client-id-metadata-document).
 * Tricky bits: `client_id` must equal the URL it was fetched from; `authorization_code` and
 * `code` are mandatory, `atproto` must be among the scopes, `dpop_bound_access_tokens` must be
 * true; confidential clients (`private_key_jwt`) sign with ES256 and publish keys in exactly one
 * of `jwks` / `jwks_uri` (https); `none` is never a signing alg; redirect URIs follow the
 * application type (redirect-uri.ts). Display URLs must be https; `client_uri` must share the
 * client_id's host. Unknown fields are allowed and dropped.
 */
import { z } from 'zod'
import { OAuthError } from './errors.ts'
import { type ApplicationType, redirectUriProblem } from './redirect-uri.ts'

export type TokenEndpointAuthMethod = 'none' | 'private_key_jwt'

export interface ClientMetadata {
  client_id: string
  application_type: ApplicationType
  grant_types: string[]
  response_types: string[]
  redirect_uris: string[]
  scope: string
  token_endpoint_auth_method: TokenEndpointAuthMethod
  token_endpoint_auth_signing_alg?: string
  dpop_bound_access_tokens: true
  jwks?: { keys: Record<string, unknown>[] }
  jwks_uri?: string
  client_name?: string
  client_uri?: string
  logo_uri?: string
  tos_uri?: string
  policy_uri?: string
}

export const CLIENT_AUTH_ALGS: readonly string[] = ['ES256']

// Built on the first validation rather than at import: building zod schemas is startup time that
// a server which never sees an OAuth client need not spend.
let schema: ReturnType<typeof buildSchema> | undefined

function buildSchema() {
  const httpsUrl = z
    .string()
    .refine((s) => URL.canParse(s) && new URL(s).protocol === 'https:', 'must be an https URL')
  return z.object({
    client_id: z.string(),
    application_type: z.enum(['web', 'native']).default('web'),
    grant_types: z.array(z.string()).min(1),
    response_types: z.array(z.string()).min(1),
    redirect_uris: z.array(z.string()).min(1),
    scope: z.string().min(1),
    token_endpoint_auth_method: z.enum(['none', 'private_key_jwt']).default('none'),
    token_endpoint_auth_signing_alg: z.string().optional(),
    dpop_bound_access_tokens: z.literal(true, { error: 'must be true' }),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    jwks_uri: httpsUrl.optional(),
    client_name: z.string().max(200).optional(),
    client_uri: httpsUrl.optional(),
    logo_uri: httpsUrl.optional(),
    tos_uri: httpsUrl.optional(),
    policy_uri: httpsUrl.optional(),
  })
}

/** Throws OAuthError invalid_client_metadata naming the first problems found. */
export function validateClientMetadata(clientId: string, json: unknown): ClientMetadata {
  schema ??= buildSchema()
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || 'document'} ${i.message}`)
    throw invalidMetadata(issues.join('; '))
  }
  const meta = parsed.data as ClientMetadata
  const problem = metadataProblem(clientId, meta)
  if (problem !== undefined) throw invalidMetadata(problem)
  return meta
}

function metadataProblem(clientId: string, meta: ClientMetadata): string | undefined {
  if (meta.client_id !== clientId) return 'client_id does not match the URL of the document'
  if (!meta.grant_types.includes('authorization_code')) return 'grant_types must include authorization_code'
  if (meta.grant_types.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
    return 'grant_types may only contain authorization_code and refresh_token'
  }
  if (!meta.response_types.includes('code')) return 'response_types must include code'
  if (!meta.scope.split(' ').includes('atproto')) return 'scope must include atproto'
  const url = new URL(clientId)
  for (const uri of meta.redirect_uris) {
    const problem = redirectUriProblem(uri, meta.application_type, url)
    if (problem !== undefined) return `redirect_uri ${uri} ${problem}`
  }
  if (meta.client_uri !== undefined && new URL(meta.client_uri).hostname !== url.hostname) {
    return 'client_uri must have the same host as client_id'
  }
  return authProblem(meta)
}

function authProblem(meta: ClientMetadata): string | undefined {
  if (meta.token_endpoint_auth_method === 'none') {
    return meta.token_endpoint_auth_signing_alg === undefined
      ? undefined
      : 'token_endpoint_auth_signing_alg is only for private_key_jwt'
  }
  const alg = meta.token_endpoint_auth_signing_alg
  if (alg !== undefined && !CLIENT_AUTH_ALGS.includes(alg))
    return `token_endpoint_auth_signing_alg ${alg} is not supported`
  if ((meta.jwks === undefined) === (meta.jwks_uri === undefined)) {
    return 'a private_key_jwt client needs exactly one of jwks and jwks_uri'
  }
  return undefined
}

function invalidMetadata(problem: string): OAuthError {
  return new OAuthError('invalid_client_metadata', `invalid client metadata: ${problem}`)
}
