/**
 * OAuth `client_id` values (oauth.md "Clients", "Localhost Client Development"): either an
 * https URL to the client's metadata document, or the special `http://localhost` development
 * client whose metadata is built from its own query string.
 * Tricky bits: discoverable ids have no port, credentials or fragment and name a domain, never
 * an IP address; the loopback id is exactly `http://localhost` with path `/`, and only
 * `redirect_uri` (repeatable) and `scope` (once) in its query. Its redirect URIs default to
 * `http://127.0.0.1/` and `http://[::1]/` and must be loopback IP URLs.
 */

import type { ClientMetadata } from './client-metadata.ts'
import { OAuthError } from './errors.ts'
import { isIpLiteralHost } from './redirect-uri.ts'

export type ClientIdKind = { kind: 'discoverable'; url: URL } | { kind: 'loopback'; url: URL }

export const LOOPBACK_CLIENT_NAME = 'Development client'
const LOOPBACK_DEFAULT_REDIRECTS = ['http://127.0.0.1/', 'http://[::1]/']
const MAX_CLIENT_ID_LENGTH = 2048

/** Throws OAuthError invalid_client when `clientId` is neither kind. */
export function parseClientId(clientId: string): ClientIdKind {
  let url: URL
  try {
    if (clientId.length > MAX_CLIENT_ID_LENGTH) throw new Error('too long')
    url = new URL(clientId)
  } catch {
    throw invalidClientId('is not a URL')
  }
  if (url.username || url.password || url.hash || clientId.includes('#')) {
    throw invalidClientId('may not contain credentials or a fragment')
  }
  if (url.protocol === 'http:' && url.hostname === 'localhost')
    return { kind: 'loopback', url: checkLoopback(url) }
  if (url.protocol !== 'https:')
    throw invalidClientId('must be an https URL (or http://localhost for development)')
  if (url.port !== '') throw invalidClientId('may not include a port')
  if (isIpLiteralHost(url.hostname) || !url.hostname.includes('.'))
    throw invalidClientId('must name a domain')
  if (url.pathname.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw invalidClientId('may not contain dot segments')
  }
  return { kind: 'discoverable', url }
}

function checkLoopback(url: URL): URL {
  if (url.port !== '') throw invalidClientId('http://localhost may not include a port')
  if (url.pathname !== '/') throw invalidClientId('http://localhost must have an empty path')
  for (const name of url.searchParams.keys()) {
    if (name !== 'redirect_uri' && name !== 'scope') throw invalidClientId(`unexpected parameter ${name}`)
  }
  if (url.searchParams.getAll('scope').length > 1) throw invalidClientId('scope may be given once')
  for (const uri of url.searchParams.getAll('redirect_uri')) {
    if (!isLoopbackRedirect(uri))
      throw invalidClientId('redirect_uri must be an http://127.0.0.1 or http://[::1] URL')
  }
  return url
}

/** The virtual metadata document of a loopback development client. */
export function loopbackClientMetadata(clientId: string, url: URL): ClientMetadata {
  const redirects = url.searchParams.getAll('redirect_uri')
  return {
    client_id: clientId,
    client_name: LOOPBACK_CLIENT_NAME,
    application_type: 'native',
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: url.searchParams.get('scope') ?? 'atproto',
    redirect_uris: redirects.length > 0 ? redirects : LOOPBACK_DEFAULT_REDIRECTS,
    token_endpoint_auth_method: 'none',
    dpop_bound_access_tokens: true,
  }
}

function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri)
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]') && !url.hash
  } catch {
    return false
  }
}

function invalidClientId(problem: string): OAuthError {
  return new OAuthError('invalid_client', `client_id ${problem}`, 400)
}
