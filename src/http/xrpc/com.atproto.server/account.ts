/** com.atproto.server: account lifecycle, migration support and service auth. */
import { ids } from '../../../../lexicons/ids.ts'
import { xrpcMethod } from '../types.ts'
import { json, jsonInput } from './input.ts'

export const accountMethods = [
  xrpcMethod(ids.ComAtprotoServerDeactivateAccount, {
    auth: 'accessFull',
    handler: ({ ctx, auth, input }) => {
      ctx.accounts.deactivateAccount(auth.did, jsonInput<{ deleteAfter?: string }>(input).deleteAfter)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerActivateAccount, {
    auth: 'accessFull',
    handler: ({ ctx, auth }) => {
      ctx.accounts.activateAccount(auth.did)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerRequestAccountDelete, {
    auth: 'accessFull',
    handler: async ({ ctx, auth }) => {
      await ctx.accounts.requestAccountDelete(auth.did)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerDeleteAccount, {
    auth: 'none',
    handler: async ({ ctx, input, client }) => {
      const { did, password, token } = jsonInput<{ did: string; password: string; token: string }>(input)
      await ctx.accounts.deleteAccount({ did, password, token, ip: client.ip })
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoServerCheckAccountStatus, {
    auth: 'access',
    handler: async ({ ctx, auth }) => json(await ctx.accounts.checkAccountStatus(auth.did)),
  }),
  xrpcMethod(ids.ComAtprotoServerReserveSigningKey, {
    auth: 'none',
    handler: ({ ctx, input }) => {
      const did = input === undefined ? undefined : jsonInput<{ did?: string }>(input).did
      return json({ signingKey: ctx.accounts.reserveSigningKey(did) })
    },
  }),
  xrpcMethod(ids.ComAtprotoServerGetServiceAuth, {
    auth: 'access',
    handler: ({ ctx, auth, params }) => {
      const { aud, exp, lxm } = params as { aud: string; exp?: number; lxm?: string }
      return json({ token: ctx.accounts.getServiceAuth(auth, { aud, exp, lxm }) })
    },
  }),
]
