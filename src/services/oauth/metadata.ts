/**
 * The discovery documents (oauth.md "Server Metadata"; RFC 8414, RFC 9728): exactly what this
 * server implements, nothing more. The PDS is its own authorization server, so the protected
 * resource names the same origin.
 */
import { PROMPTS, RESPONSE_MODES } from '../../core/oauth/authorization-request.ts'
import { CLIENT_AUTH_ALGS } from '../../core/oauth/client-metadata.ts'
import { DPOP_ALGS } from '../../core/oauth/dpop-claims.ts'

export const SCOPES_SUPPORTED = ['atproto', 'transition:generic', 'transition:email', 'transition:chat.bsky']

export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  const endpoint = (path: string) => `${issuer}${path}`
  return {
    issuer,
    authorization_endpoint: endpoint('/oauth/authorize'),
    token_endpoint: endpoint('/oauth/token'),
    revocation_endpoint: endpoint('/oauth/revoke'),
    pushed_authorization_request_endpoint: endpoint('/oauth/par'),
    jwks_uri: endpoint('/oauth/jwks'),
    require_pushed_authorization_requests: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    scopes_supported: SCOPES_SUPPORTED,
    subject_types_supported: ['public'],
    response_types_supported: ['code'],
    response_modes_supported: RESPONSE_MODES,
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    prompt_values_supported: PROMPTS,
    display_values_supported: ['page'],
    ui_locales_supported: ['en'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_AUTH_ALGS,
    revocation_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_AUTH_ALGS,
    dpop_signing_alg_values_supported: DPOP_ALGS,
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
    protected_resources: [issuer],
  }
}

export function protectedResourceMetadata(resource: string, issuer: string): Record<string, unknown> {
  return {
    resource,
    authorization_servers: [issuer],
    scopes_supported: SCOPES_SUPPORTED,
    bearer_methods_supported: ['header'],
    resource_documentation: 'https://atproto.com',
  }
}
