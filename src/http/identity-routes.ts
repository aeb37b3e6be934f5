/**
 * Host-name routes of identity (docs/IDENTITY.md):
 * - `GET /.well-known/atproto-did` on a handle's host answers the account's DID as text/plain
 *   (spec: handle "HTTPS well-known Method"); 404 on any other host. The host is the one the
 *   client addressed, as client-info.ts reads it (X-Forwarded-Host only from a loopback proxy),
 *   without its port.
 * - `GET /_allow-cert?domain=<name>` is the on-demand TLS gate a reverse proxy (Caddy's
 *   `on_demand_tls { ask ... }`) consults before requesting a certificate: 200 when allowed, 403
 *   otherwise, 400 without a usable domain parameter. Which names pass is decided in
 *   services/identity/hosts.ts.
 */
import type { AppContext } from '../services/context.ts'
import { ForbiddenError, InvalidRequestError, NotFoundError } from '../services/errors.ts'
import { clientInfo, type PeerSource } from './client-info.ts'

const MAX_DOMAIN_LENGTH = 253

export function atprotoDidResponse(ctx: AppContext, request: Request, server: PeerSource | null): Response {
  const did = ctx.identity.didForHandleHost(withoutPort(clientInfo(request, server).host))
  if (did === undefined) throw new NotFoundError('No account with this handle here')
  return new Response(did, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

export function allowCertResponse(ctx: AppContext, url: URL): Response {
  const domain = url.searchParams.get('domain')
  if (domain === null || domain === '' || domain.length > MAX_DOMAIN_LENGTH) {
    throw new InvalidRequestError('A domain parameter is required')
  }
  if (!ctx.identity.allowsCertificate(domain)) throw new ForbiddenError('No certificate for this domain')
  return new Response('ok', { headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

/** `host[:port]` → `host`; an IPv6 literal (`[::1]:80`) is kept whole, and is never a handle. */
function withoutPort(host: string): string {
  if (host.startsWith('[')) return host
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}
