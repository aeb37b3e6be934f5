/** com.atproto.server: email confirmation, email change and password reset. */
import { ids } from '../../../../lexicons/ids.ts'
import { AuthRequiredError } from '../../../services/errors.ts'
import { xrpcMethod } from '../types.ts'
import { json, jsonInput } from './input.ts'

export const emailMethods = [
  xrpcMethod(ids.ComAtprotoServerRequestEmailConfirmation, {
    auth: 'accessFull',
    handler: async ({ ctx, auth }) => {
      await ctx.accounts.requestEmailConfirmation(auth.did)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerConfirmEmail, {
    // Without a token only when the operator turned on testing_allow_unauthenticated_email_confirm.
    auth: 'accessFullOptional',
    handler: ({ ctx, auth, input }) => {
      if (auth === null && !ctx.config.testing_allow_unauthenticated_email_confirm) {
        throw new AuthRequiredError(undefined, 'AuthMissing')
      }
      const { email, token } = jsonInput<{ email: string; token: string }>(input)
      ctx.accounts.confirmEmail(auth?.did ?? null, email, token)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerRequestEmailUpdate, {
    auth: 'accessFull',
    handler: async ({ ctx, auth }) => json(await ctx.accounts.requestEmailUpdate(auth.did)),
  }),
  xrpcMethod(ids.ComAtprotoServerUpdateEmail, {
    auth: 'accessFull',
    handler: ({ ctx, auth, input }) => {
      const { email, token } = jsonInput<{ email: string; token?: string }>(input)
      ctx.accounts.updateEmail(auth.did, email, token)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerRequestPasswordReset, {
    auth: 'none',
    handler: async ({ ctx, input }) => {
      await ctx.accounts.requestPasswordReset(jsonInput<{ email: string }>(input).email)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerResetPassword, {
    auth: 'none',
    handler: async ({ ctx, input }) => {
      const { token, password } = jsonInput<{ token: string; password: string }>(input)
      await ctx.accounts.resetPassword(token, password)
      return undefined
    },
  }),
]
