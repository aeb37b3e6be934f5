/** com.atproto.server: invite codes (minted with admin auth, listed by their account). */
import { ids } from '../../../../lexicons/ids.ts'
import { xrpcMethod } from '../types.ts'
import { json, jsonInput } from './input.ts'

export const inviteMethods = [
  xrpcMethod(ids.ComAtprotoServerCreateInviteCode, {
    auth: 'admin',
    handler: ({ ctx, input }) => {
      const { useCount, forAccount } = jsonInput<{ useCount: number; forAccount?: string }>(input)
      return json({ code: ctx.accounts.invites.mint({ useCount, forAccount }) })
    },
  }),
  xrpcMethod(ids.ComAtprotoServerCreateInviteCodes, {
    auth: 'admin',
    handler: ({ ctx, input }) => {
      const body = jsonInput<{ codeCount: number; useCount: number; forAccounts?: string[] }>(input)
      return json({
        codes: ctx.accounts.invites.mintMany(body.codeCount, body.useCount, body.forAccounts ?? []),
      })
    },
  }),
  xrpcMethod(ids.ComAtprotoServerGetAccountInviteCodes, {
    auth: 'access',
    handler: ({ ctx, auth, params }) => {
      const includeUsed = (params.includeUsed as boolean | undefined) ?? true
      return json({ codes: ctx.accounts.invites.listForAccount(auth.did, includeUsed) })
    },
  }),
]
