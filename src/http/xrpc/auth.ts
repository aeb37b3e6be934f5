/**
 * The verifier behind each auth scheme a method may declare (see AuthResults in types.ts).
 * Verifiers run after params are validated and before the body is read. Answers as the reference
 * PDS: no Authorization header → 401 AuthMissing; a malformed header, a bad or wrongly scoped
 * token → 400 InvalidToken; an expired or revoked token → 400 ExpiredToken (which makes
 * @atproto/api refresh the session); a taken-down account → 401 AccountTakedown (its restricted
 * `takendown` session passes only the methods of TAKENDOWN_SESSION_METHODS); wrong admin
 * credentials, or none, → 401 AuthenticationRequired (with a reason when no admin_password is set).
 */
import type { AccessScope } from '../../services/auth/session-tokens.ts'
import type { AccessAuth } from '../../services/auth/sessions.ts'
import type { AppContext } from '../../services/context.ts'
import { AuthRequiredError, InvalidRequestError } from '../../services/errors.ts'
import { TAKENDOWN_SESSION_METHODS } from '../../services/moderation/index.ts'
import { checkMethodScope, type ScopedAuth, verifyOAuthAccess } from '../../services/oauth/index.ts'
import type { AuthRequest, AuthVerifiers } from './types.ts'

type AuthScheme = 'basic' | 'bearer' | 'dpop'

const ALL_SCOPES: readonly AccessScope[] = ['access', 'appPass', 'appPassPrivileged']
const FULL: readonly AccessScope[] = ['access']
const PRIVILEGED: readonly AccessScope[] = ['access', 'appPassPrivileged']

export function createAuthVerifiers(ctx: AppContext): AuthVerifiers {
  const access = (scopes: readonly AccessScope[]) => (req: AuthRequest) => verifyAccess(ctx, req, scopes)
  const optional = (scopes: readonly AccessScope[]) => (req: AuthRequest) =>
    req.request.headers.has('authorization') ? verifyAccess(ctx, req, scopes) : null
  return {
    none: () => null,
    access: access(ALL_SCOPES),
    accessFull: access(FULL),
    accessPrivileged: access(PRIVILEGED),
    accessFullOptional: optional(FULL),
    optionalAccess: optional(ALL_SCOPES),
    refresh: async (req) => ctx.accounts.sessions.verifyRefresh(bearerToken(req)),
    admin: (req) => {
      if (ctx.config.admin_password === undefined) {
        throw new AuthRequiredError('admin API is disabled: no admin_password configured')
      }
      if (!ctx.accounts.adminAuth.check(req.request.headers.get('authorization')))
        throw new AuthRequiredError()
      return { admin: true }
    },
    serviceAuthOptional: async (req) => {
      if (!req.request.headers.has('authorization')) return null
      return ctx.accounts.verifyServiceAuth(bearerToken(req), req.nsid)
    },
  }
}

async function verifyAccess(
  ctx: AppContext,
  req: AuthRequest,
  scopes: readonly AccessScope[],
): Promise<AccessAuth> {
  const oauth = await verifyOAuth(ctx, req)
  if (oauth !== null) return oauth
  const auth = await ctx.accounts.sessions.authenticate(bearerToken(req))
  const allowed =
    scopes.includes(auth.scope) || (auth.scope === 'takendown' && TAKENDOWN_SESSION_METHODS.has(req.nsid))
  if (!allowed) throw new InvalidRequestError('Bad token scope', 'InvalidToken')
  return auth
}

/** The token of a `Bearer` Authorization header (the scheme is case-insensitive). */
function bearerToken(req: AuthRequest): string {
  const parsed = parseAuthorization(req.request.headers.get('authorization'))
  if (parsed === undefined) throw new AuthRequiredError(undefined, 'AuthMissing')
  if (parsed.scheme !== 'bearer')
    throw new InvalidRequestError('Unexpected authorization type', 'InvalidToken')
  return parsed.token
}

function parseAuthorization(header: string | null): { scheme: AuthScheme; token: string } | undefined {
  if (header === null || header === '') return undefined
  const parts = header.split(' ')
  if (parts.length !== 2 || parts[1] === '') {
    throw new InvalidRequestError('Malformed authorization header', 'InvalidToken')
  }
  const scheme = parts[0]!.toLowerCase()
  if (scheme !== 'basic' && scheme !== 'bearer' && scheme !== 'dpop') {
    throw new InvalidRequestError(`Unsupported authorization type: ${parts[0]}`, 'InvalidToken')
  }
  return { scheme, token: parts[1]! }
}

// ---- OAuth: `Authorization: DPoP <token>` (services/oauth, docs/OAUTH.md) ----------------------

/**
 * An OAuth access token and its DPoP proof, or null when the request carries no DPoP
 * authorization. The method's own permission is checked here (services/oauth/method-scopes.ts);
 * handlers check the ones that depend on the body with requireScope. The result is a full
 * session to the rest of the code, plus `oauth`, which requireScope reads.
 */
async function verifyOAuth(ctx: AppContext, req: AuthRequest): Promise<AccessAuth | null> {
  const access = await verifyOAuthAccess(ctx, req.request, req.client)
  if (access === null) return null
  const appviewAudience = `${ctx.config.bsky_appview_did}#bsky_appview`
  checkMethodScope(access, { nsid: req.nsid, params: req.params, request: req.request, appviewAudience })
  const auth: AccessAuth & ScopedAuth = {
    did: access.did,
    scope: 'access',
    sessionId: access.tokenId,
    oauth: access,
  }
  return auth
}
