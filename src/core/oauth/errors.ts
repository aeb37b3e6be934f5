/**
 * OAuth protocol errors (RFC 6749 §5.2, RFC 6750 §3.1, RFC 9449 §7.1, RFC 9126 §2.3): an error
 * code from the OAuth registries, a description for developers, and the HTTP status the code
 * calls for. The HTTP layer writes them as `{"error","error_description"}`, or as a
 * `WWW-Authenticate` header on resource requests.
 */

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_request_uri'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'login_required'
  | 'consent_required'
  | 'server_error'
  | 'temporarily_unavailable'

export class OAuthError extends Error {
  override name = 'OAuthError'

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status: number = error === 'invalid_client' ? 401 : 400,
    /** Extra response headers (DPoP-Nonce, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${error}: ${description}`)
  }
}
