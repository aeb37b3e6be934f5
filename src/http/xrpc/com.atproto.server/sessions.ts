/** com.atproto.server: sign-up and password sessions. */
import { ids } from '../../../../lexicons/ids.ts'
import type { CreateAccountInput } from '../../../services/accounts/create-account.ts'
import { withNormalizedHandle } from '../../../services/accounts/handles.ts'
import type { SessionAccountView } from '../../../services/accounts/session-view.ts'
import { hasScope } from '../../../services/oauth/index.ts'
import { xrpcMethod } from '../types.ts'
import { json, jsonInput } from './input.ts'

interface CreateSessionInput {
  identifier: string
  password: string
  allowTakendown?: boolean
}

export const sessionMethods = [
  xrpcMethod(ids.ComAtprotoServerCreateAccount, {
    auth: 'serviceAuthOptional',
    // "alice" becomes "alice.<service_handle_domain>" before the lexicon checks the handle format.
    prepareInput: (json, ctx) => withNormalizedHandle(json, ctx.config.service_handle_domain),
    handler: async ({ ctx, input, auth }) => {
      const body = jsonInput<CreateAccountInput>(input)
      return json(await ctx.accounts.createAccount(body, auth?.did ?? null))
    },
  }),
  xrpcMethod(ids.ComAtprotoServerCreateSession, {
    auth: 'none',
    handler: async ({ ctx, input, client }) => {
      const { identifier, password, allowTakendown } = jsonInput<CreateSessionInput>(input)
      return json(await ctx.accounts.login({ identifier, password, allowTakendown, ip: client.ip }))
    },
  }),
  xrpcMethod(ids.ComAtprotoServerGetSession, {
    auth: 'access',
    handler: async ({ ctx, auth }) => {
      const session = await ctx.accounts.getSession(auth)
      const email = hasScope(auth, { resource: 'account', attr: 'email', action: 'read' })
      return json(email ? session : withoutEmail(session))
    },
  }),
  xrpcMethod(ids.ComAtprotoServerRefreshSession, {
    auth: 'refresh',
    handler: async ({ ctx, auth }) => json(await ctx.accounts.refreshSession(auth.did, auth.tokenId)),
  }),
  xrpcMethod(ids.ComAtprotoServerDeleteSession, {
    auth: 'refresh',
    handler: ({ ctx, auth }) => {
      ctx.accounts.sessions.revokeByRefreshToken(auth.tokenId)
      return undefined
    },
  }),
]

/** OAuth apps see the email address only with the account:email scope, as the reference PDS. */
function withoutEmail(
  session: SessionAccountView,
): Omit<SessionAccountView, 'email' | 'emailConfirmed' | 'emailAuthFactor'> {
  const { email: _email, emailConfirmed: _confirmed, emailAuthFactor: _factor, ...rest } = session
  return rest
}
