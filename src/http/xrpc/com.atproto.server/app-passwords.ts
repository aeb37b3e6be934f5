/** com.atproto.server: app passwords (full sessions only: they are account security). */
import { ids } from '../../../../lexicons/ids.ts'
import { xrpcMethod } from '../types.ts'
import { json, jsonInput } from './input.ts'

export const appPasswordMethods = [
  xrpcMethod(ids.ComAtprotoServerCreateAppPassword, {
    auth: 'accessFull',
    handler: async ({ ctx, auth, input }) => {
      const { name, privileged } = jsonInput<{ name: string; privileged?: boolean }>(input)
      return json(await ctx.accounts.appPasswords.create(auth.did, name, privileged ?? false))
    },
  }),
  xrpcMethod(ids.ComAtprotoServerListAppPasswords, {
    auth: 'accessFull',
    handler: ({ ctx, auth }) => json({ passwords: ctx.accounts.appPasswords.list(auth.did) }),
  }),
  xrpcMethod(ids.ComAtprotoServerRevokeAppPassword, {
    auth: 'accessFull',
    handler: ({ ctx, auth, input }) => {
      ctx.accounts.appPasswords.revoke(auth.did, jsonInput<{ name: string }>(input).name)
      return undefined
    },
  }),
]
