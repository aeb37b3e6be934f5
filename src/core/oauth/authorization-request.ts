/**
 * The parameters of a pushed authorization request (RFC 9126, oauth.md "Authorization
 * Requests"), checked against the client's metadata.
 * Tricky bits: every parameter appears at most once; `redirect_uri` may be left out only when
 * the client registered exactly one; PKCE with S256 is mandatory (RFC 7636's default `plain`
 * is refused); `state` is mandatory; `scope` must contain `atproto` and be a subset of the
 * scopes the client declared; a scope string that is malformed for a known resource is
 * `invalid_scope`, an unknown resource is kept but grants nothing. Request objects (JAR) and a
 * `request_uri` inside PAR are refused.
 */
import { parseScope } from '../permissions/permission.ts'
import type { ClientMetadata } from './client-metadata.ts'
import { OAuthError } from './errors.ts'
import { isValidCodeChallenge } from './pkce.ts'
import { redirectUriMatches } from './redirect-uri.ts'

export type ResponseMode = 'query' | 'fragment'
export type Prompt = 'none' | 'login' | 'consent'

export const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'fragment']
export const PROMPTS: readonly Prompt[] = ['none', 'login', 'consent']

export interface AuthorizationParams {
  clientId: string
  redirectUri: string
  responseMode: ResponseMode
  codeChallenge: string
  state: string
  /** Space-separated, de-duplicated, in the client's order. */
  scope: string
  loginHint: string | undefined
  prompt: Prompt | undefined
  /** The DPoP key thumbprint the client bound the request to (RFC 9449 §10), if it sent one. */
  dpopJkt: string | undefined
}

const MAX_PARAM_LENGTH = 2048

/** Throws OAuthError (invalid_request, invalid_scope, unsupported_response_type). */
export function parseAuthorizationRequest(
  form: URLSearchParams,
  client: ClientMetadata,
): AuthorizationParams {
  const get = singleValues(form)
  if (get('request') !== undefined) throw invalid('request objects are not supported')
  if (get('request_uri') !== undefined) throw invalid('request_uri may not be pushed')
  if (get('client_id') !== client.client_id)
    throw invalid('client_id does not match the authenticated client')
  const responseType = get('response_type')
  if (responseType !== 'code' || !client.response_types.includes('code')) {
    throw new OAuthError('unsupported_response_type', 'response_type must be code')
  }
  const codeChallenge = get('code_challenge')
  if (codeChallenge === undefined) throw invalid('code_challenge is required (PKCE)')
  if (get('code_challenge_method') !== 'S256') throw invalid('code_challenge_method must be S256')
  if (!isValidCodeChallenge(codeChallenge)) throw invalid('code_challenge is not a valid S256 challenge')
  const state = get('state')
  if (state === undefined || state === '') throw invalid('state is required')
  return {
    clientId: client.client_id,
    redirectUri: redirectUri(get('redirect_uri'), client),
    responseMode: responseMode(get('response_mode')),
    codeChallenge,
    state,
    scope: requestedScope(get('scope'), client),
    loginHint: get('login_hint') || undefined,
    prompt: prompt(get('prompt')),
    dpopJkt: get('dpop_jkt'),
  }
}

function singleValues(form: URLSearchParams): (name: string) => string | undefined {
  return (name) => {
    const values = form.getAll(name)
    if (values.length > 1) throw invalid(`${name} may only be given once`)
    const value = values[0]
    if (value !== undefined && value.length > MAX_PARAM_LENGTH) throw invalid(`${name} is too long`)
    return value
  }
}

function redirectUri(value: string | undefined, client: ClientMetadata): string {
  if (value === undefined) {
    if (client.redirect_uris.length === 1) return client.redirect_uris[0]!
    throw invalid('redirect_uri is required')
  }
  if (!redirectUriMatches(client.redirect_uris, value))
    throw invalid('redirect_uri is not registered by the client')
  return value
}

function responseMode(value: string | undefined): ResponseMode {
  if (value === undefined) return 'query'
  if ((RESPONSE_MODES as readonly string[]).includes(value)) return value as ResponseMode
  throw invalid(`response_mode ${value} is not supported`)
}

function prompt(value: string | undefined): Prompt | undefined {
  if (value === undefined || value === '') return undefined
  if ((PROMPTS as readonly string[]).includes(value)) return value as Prompt
  throw invalid(`prompt ${value} is not supported`)
}

/** The requested scopes, checked; throws invalid_scope. */
export function requestedScope(value: string | undefined, client: ClientMetadata): string {
  const scopes = [...new Set((value ?? '').split(' ').filter((s) => s !== ''))]
  if (!scopes.includes('atproto')) throw new OAuthError('invalid_scope', 'scope must include atproto')
  const declared = new Set(client.scope.split(' '))
  for (const scope of scopes) {
    if (!declared.has(scope))
      throw new OAuthError('invalid_scope', `scope ${scope} is not declared by the client`)
    const parsed = parseScope(scope)
    if (parsed.kind === 'invalid') throw new OAuthError('invalid_scope', `scope ${scope} ${parsed.reason}`)
  }
  return scopes.join(' ')
}

function invalid(description: string): OAuthError {
  return new OAuthError('invalid_request', description)
}
