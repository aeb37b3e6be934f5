/**
 * The OAuth JSON endpoints: discovery documents, the JWK Set, PAR, token and revocation. They
 * answer in OAuth's own error format (`{"error","error_description"}`, RFC 6749 §5.2), not
 * XRPC's, carry CORS headers for browser apps, a fresh DPoP-Nonce, and `Cache-Control:
 * no-store` on anything holding tokens.
 */
import { OAuthError } from '../../core/oauth/errors.ts'
import { XrpcError } from '../../services/errors.ts'
import type { DpopInput, OAuthService } from '../../services/oauth/oauth-service.ts'
import type { ClientInfo } from '../client-info.ts'
import { applyCorsHeaders } from '../cors.ts'
import { readForm } from './web.ts'

export interface OAuthCall {
  request: Request
  client: ClientInfo
}

export class OAuthEndpoints {
  constructor(private readonly oauth: OAuthService) {}

  authorizationServer = (): Response =>
    json(this.oauth.serverMetadata(), 200, { 'Cache-Control': 'max-age=300' })

  protectedResource = (): Response =>
    json(this.oauth.resourceMetadata(), 200, { 'Cache-Control': 'max-age=300' })

  jwks = async (): Promise<Response> =>
    json(await this.oauth.keys.jwks(), 200, { 'Cache-Control': 'max-age=60' })

  par = (call: OAuthCall): Promise<Response> =>
    this.answer(call, 201, async (form) => this.oauth.pushAuthorizationRequest(form, proofOf(call)))

  token = (call: OAuthCall): Promise<Response> =>
    this.answer(call, 200, async (form) => this.oauth.token(form, proofOf(call)))

  revoke = (call: OAuthCall): Promise<Response> =>
    this.answer(call, 200, async (form) => {
      await this.oauth.revoke(form, proofOf(call))
      return {}
    })

  private async answer(call: OAuthCall, status: number, run: (form: URLSearchParams) => Promise<unknown>) {
    const headers = { 'Cache-Control': 'no-store', 'DPoP-Nonce': this.oauth.dpopNonce() }
    try {
      return json(await run(await readForm(call.request)), status, headers)
    } catch (err) {
      const oauth = asOAuthError(err)
      const body = { error: oauth.error, error_description: oauth.description }
      return json(body, oauth.status, { ...headers, ...oauth.headers })
    }
  }
}

/** The DPoP proof and the public URL it must name (behind a proxy: the forwarded one). */
function proofOf(call: OAuthCall): DpopInput {
  const path = new URL(call.request.url).pathname
  return {
    proof: call.request.headers.get('dpop'),
    method: call.request.method,
    url: `${call.client.proto}://${call.client.host}${path}`,
  }
}

/** Client mistakes caught by the shared HTTP helpers become invalid_request; bugs stay bugs. */
function asOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err
  if (err instanceof XrpcError && err.status < 500)
    return new OAuthError('invalid_request', err.message, err.status)
  throw err
}

function json(body: unknown, status: number, headers: Record<string, string>): Response {
  const response = Response.json(body, { status, headers })
  applyCorsHeaders(response.headers)
  return response
}
