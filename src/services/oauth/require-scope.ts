/**
 * What handlers call to enforce OAuth permissions. Any auth result may carry `oauth` (the
 * verified OAuth access); results without it (password sessions, app passwords, service auth)
 * are not scoped by OAuth and pass. The helpers take any auth result (`object`) so that every
 * verifier's result type can be handed over as it is. A missing permission is 403 naming the
 * scope that would allow it, as clients need to know what to ask the user for.
 */
import { type PermissionRequest, scopeForRequest } from '../../core/permissions/scope-set.ts'
import { ForbiddenError } from '../errors.ts'
import { type OAuthAccess, quoted } from './access.ts'

/** The part of any auth result these helpers look at. */
export interface ScopedAuth {
  readonly oauth?: OAuthAccess | null | undefined
}

type AnyAuth = object | null | undefined

/** The OAuth access an auth result carries, if any. */
export function oauthOf(auth: AnyAuth): OAuthAccess | undefined {
  return (auth as ScopedAuth | null | undefined)?.oauth ?? undefined
}

/** Throws 403 InsufficientScope when an OAuth token lacks the permission. */
export function requireScope(auth: AnyAuth, permission: PermissionRequest): void {
  const oauth = oauthOf(auth)
  if (oauth === undefined || oauth.scopes.allows(permission)) return
  const scope = scopeForRequest(permission)
  throw new ForbiddenError(`Missing required scope "${scope}"`, 'InsufficientScope', {
    headers: { 'WWW-Authenticate': `DPoP error="insufficient_scope", scope="${quoted(scope)}"` },
  })
}

/** Whether the request may do this (for optional parts of an answer, such as the email). */
export function hasScope(auth: AnyAuth, permission: PermissionRequest): boolean {
  const oauth = oauthOf(auth)
  return oauth === undefined || oauth.scopes.allows(permission)
}

/** For endpoints OAuth apps may never use (app passwords, account deletion, …). */
export function refuseOAuth(auth: AnyAuth, nsid: string): void {
  if (oauthOf(auth) !== undefined) {
    throw new ForbiddenError(
      `${nsid} is not available to OAuth apps; sign in with your password`,
      'InvalidToken',
    )
  }
}
