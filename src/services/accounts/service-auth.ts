/**
 * com.atproto.server.getServiceAuth: a short-lived JWT signed with the account's repo key, for
 * another service to check against the account's DID document. Expiry rules as the reference:
 * at most an hour ahead, at most a minute without `lxm`, default a minute. Account-management
 * methods are never granted; chat and account creation elsewhere need a privileged session.
 */
import { isPrivilegedScope, PRIVILEGED_METHODS, PROTECTED_METHODS } from '../auth/method-policy.ts'
import type { AccessAuth } from '../auth/sessions.ts'
import { InvalidRequestError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'

const MINUTE_S = 60
const HOUR_S = 60 * 60

export interface ServiceAuthRequest {
  aud: string
  /** Seconds since the epoch. */
  exp?: number | undefined
  lxm?: string | undefined
}

export function getServiceAuth(deps: AccountDeps, auth: AccessAuth, req: ServiceAuthRequest): string {
  const now = Math.floor(deps.now() / 1000)
  const lxm = req.lxm ?? null
  if (req.exp !== undefined) checkExpiry(req.exp - now, lxm)
  if (lxm !== null && PROTECTED_METHODS.has(lxm)) {
    throw new InvalidRequestError(
      `cannot request a service auth token for the following protected method: ${lxm}`,
    )
  }
  if (lxm !== null && PRIVILEGED_METHODS.has(lxm) && !isPrivilegedScope(auth.scope)) {
    throw new InvalidRequestError(
      `insufficient access to request a service auth token for the following method: ${lxm}`,
    )
  }
  return deps.identity.createServiceJwt({
    iss: auth.did,
    aud: req.aud,
    lxm,
    exp: req.exp ?? now + MINUTE_S,
    keypair: deps.keys.of(auth.did),
  })
}

function checkExpiry(secondsAhead: number, lxm: string | null): void {
  if (secondsAhead < 0) throw new InvalidRequestError('expiration is in past', 'BadExpiration')
  if (secondsAhead > HOUR_S) {
    throw new InvalidRequestError(
      'cannot request a token with an expiration more than an hour in the future',
      'BadExpiration',
    )
  }
  if (lxm === null && secondsAhead > MINUTE_S) {
    throw new InvalidRequestError(
      'cannot request a method-less token with an expiration more than a minute in the future',
      'BadExpiration',
    )
  }
}
