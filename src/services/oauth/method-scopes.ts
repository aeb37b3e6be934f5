/**
 * The permission each locally served XRPC method needs from an OAuth token, checked right after
 * the token is verified. Fail closed: a method not listed here is refused to OAuth apps until
 * someone decides what it needs.
 * - `atproto`: nothing beyond the `atproto` scope (reads of one's own account state).
 * - a permission computed from the request (params or Content-Type);
 * - `handler`: the permission depends on the body (which collection a write touches), so the
 *   handler calls requireScope itself;
 * - `never`: account-management methods OAuth apps may not use at all (spec: transition:generic
 *   has "no account management actions"; app passwords and deletion need the password).
 * Methods reached through the proxy need `rpc:<nsid>?aud=<service>`, checked by the proxy.
 */
import { ids } from '../../../lexicons/ids.ts'
import type { PermissionRequest } from '../../core/permissions/scope-set.ts'
import { ForbiddenError } from '../errors.ts'
import type { OAuthAccess } from './access.ts'
import { refuseOAuth, requireScope } from './require-scope.ts'

export interface MethodCall {
  nsid: string
  params: Record<string, unknown>
  request: Request
  /** `<appview did>#bsky_appview`: preferences are app-view data kept by the PDS. */
  appviewAudience: string
}

type Rule = 'atproto' | 'handler' | 'never' | ((call: MethodCall) => PermissionRequest)

const emailManage: Rule = () => ({ resource: 'account', attr: 'email', action: 'manage' })
const identityFull: Rule = () => ({ resource: 'identity', attr: '*' })
const preferences: Rule = (call) => ({ resource: 'rpc', lxm: call.nsid, aud: call.appviewAudience })

const RULES: Record<string, Rule> = {
  [ids.ComAtprotoServerGetSession]: 'atproto',
  [ids.ComAtprotoServerCheckAccountStatus]: 'atproto',
  [ids.ComAtprotoRepoListMissingBlobs]: 'atproto',
  [ids.ComAtprotoRepoCreateRecord]: 'handler',
  [ids.ComAtprotoRepoPutRecord]: 'handler',
  [ids.ComAtprotoRepoDeleteRecord]: 'handler',
  [ids.ComAtprotoRepoApplyWrites]: 'handler',
  [ids.ComAtprotoRepoUploadBlob]: (call) => ({
    resource: 'blob',
    mime: call.request.headers.get('content-type') ?? 'application/octet-stream',
  }),
  [ids.ComAtprotoRepoImportRepo]: () => ({ resource: 'account', attr: 'repo', action: 'manage' }),
  [ids.ComAtprotoServerGetServiceAuth]: serviceAuth,
  [ids.AppBskyActorGetPreferences]: preferences,
  [ids.AppBskyActorPutPreferences]: preferences,
  [ids.ComAtprotoIdentityRefreshIdentity]: 'atproto',
  [ids.ComAtprotoIdentityUpdateHandle]: () => ({ resource: 'identity', attr: 'handle' }),
  [ids.ComAtprotoIdentityGetRecommendedDidCredentials]: identityFull,
  [ids.ComAtprotoIdentityRequestPlcOperationSignature]: identityFull,
  [ids.ComAtprotoIdentitySignPlcOperation]: identityFull,
  [ids.ComAtprotoIdentitySubmitPlcOperation]: identityFull,
  [ids.ComAtprotoServerRequestEmailConfirmation]: emailManage,
  [ids.ComAtprotoServerConfirmEmail]: emailManage,
  [ids.ComAtprotoServerRequestEmailUpdate]: emailManage,
  [ids.ComAtprotoServerUpdateEmail]: emailManage,
  // Answered here only when reports stay on this server; forwarded reports need `rpc:` (proxy).
  [ids.ComAtprotoModerationCreateReport]: 'atproto',
  [ids.ComAtprotoTempCheckSignupQueue]: 'atproto',
}

/** Throws 403 unless the OAuth token may call this method (see RULES). */
export function checkMethodScope(access: OAuthAccess, call: MethodCall): void {
  const auth = { oauth: access }
  if (!access.scopes.hasAtproto())
    throw new ForbiddenError('The token lacks the atproto scope', 'InvalidToken')
  const rule = RULES[call.nsid] ?? 'never'
  if (rule === 'never') refuseOAuth(auth, call.nsid)
  else if (typeof rule === 'function') requireScope(auth, rule(call))
}

/** Service-auth tokens for a named method only (an OAuth app may not mint any-method tokens). */
function serviceAuth(call: MethodCall): PermissionRequest {
  const { lxm, aud } = call.params
  if (typeof lxm !== 'string' || typeof aud !== 'string') {
    throw new ForbiddenError('OAuth apps must name the lxm of a service-auth token', 'InvalidToken')
  }
  return { resource: 'rpc', lxm, aud }
}
