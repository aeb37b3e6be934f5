/**
 * Which host names this server answers for (docs/IDENTITY.md):
 * - `https://<handle>/.well-known/atproto-did` (spec: handle "HTTPS well-known Method") answers the
 *   DID of the active local account holding that handle, whatever its domain;
 * - the on-demand TLS gate (`/_allow-cert`, asked by Caddy before it requests a certificate)
 *   allows this server's hostname and the handles under service_handle_domain that an active
 *   account holds, nothing else. Names that are merely free are refused: approving them would let
 *   anyone make the proxy request certificates for random names and exhaust the certificate
 *   authority's rate limits for the whole domain. A new account's host gets its certificate on the
 *   first request after sign-up, when Caddy asks again.
 */
import { isValidHandle, normalizeHandle } from '../../core/syntax/handle.ts'
import { accountStatusOf } from '../accounts/status.ts'
import type { IdentityDeps } from './deps.ts'

/** The DID served at /.well-known/atproto-did on `host` (a host name without port), if any. */
export function didForHandleHost(deps: IdentityDeps, host: string): string | undefined {
  const name = normalizeHost(host)
  if (!isValidHandle(name)) return undefined
  const account = deps.accounts().tables.accounts.byHandle(name)
  return account !== undefined && accountStatusOf(account).active ? account.did : undefined
}

/** Whether a TLS certificate may be requested for `domain`. */
export function allowsCertificate(deps: IdentityDeps, domain: string): boolean {
  const name = normalizeHost(domain)
  if (name === deps.config.hostname) return true
  if (!name.endsWith(`.${deps.config.service_handle_domain}`)) return false
  return didForHandleHost(deps, name) !== undefined
}

/** Lower case, without the trailing dot of a fully-qualified name. */
function normalizeHost(host: string): string {
  return normalizeHandle(host.endsWith('.') ? host.slice(0, -1) : host)
}
