/**
 * com.atproto.admin.*: the operator's API (docs/ADMIN.md), every method behind HTTP Basic
 * `admin:<admin_password>`. Accounts (views, search, email, password, handle, signing key,
 * deletion) are `ctx.admin`'s; subject status and takedowns are `ctx.moderation`'s.
 */
import { ids } from '../../../lexicons/ids.ts'
import type { SendEmailInput } from '../../services/admin/index.ts'
import type { SubjectStatusQuery, SubjectStatusUpdate } from '../../services/moderation/index.ts'
import { json, jsonInput } from './com.atproto.server/input.ts'
import { xrpcMethod } from './types.ts'

export const comAtprotoAdmin = [
  xrpcMethod(ids.ComAtprotoAdminGetAccountInfo, {
    auth: 'admin',
    handler: ({ ctx, params }) => json(ctx.admin.getAccountInfo(params.did as string)),
  }),
  xrpcMethod(ids.ComAtprotoAdminGetAccountInfos, {
    auth: 'admin',
    handler: ({ ctx, params }) => json({ infos: ctx.admin.getAccountInfos(params.dids as string[]) }),
  }),
  xrpcMethod(ids.ComAtprotoAdminSearchAccounts, {
    auth: 'admin',
    handler: ({ ctx, params }) =>
      json(ctx.admin.searchAccounts(params as { email?: string; cursor?: string; limit: number })),
  }),
  xrpcMethod(ids.ComAtprotoAdminUpdateAccountEmail, {
    auth: 'admin',
    handler: ({ ctx, input }) => {
      const { account, email } = jsonInput<{ account: string; email: string }>(input)
      ctx.admin.updateAccountEmail(account, email)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoAdminUpdateAccountPassword, {
    auth: 'admin',
    handler: async ({ ctx, input }) => {
      const { did, password } = jsonInput<{ did: string; password: string }>(input)
      await ctx.admin.updateAccountPassword(did, password)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoAdminUpdateAccountHandle, {
    auth: 'admin',
    handler: async ({ ctx, input }) => {
      const { did, handle } = jsonInput<{ did: string; handle: string }>(input)
      await ctx.admin.updateAccountHandle(did, handle)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoAdminUpdateAccountSigningKey, {
    auth: 'admin',
    handler: async ({ ctx, input }) => {
      const { did, signingKey } = jsonInput<{ did: string; signingKey: string }>(input)
      await ctx.admin.updateAccountSigningKey(did, signingKey)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoAdminDeleteAccount, {
    auth: 'admin',
    handler: ({ ctx, input }) => {
      ctx.admin.deleteAccount(jsonInput<{ did: string }>(input).did)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoAdminGetSubjectStatus, {
    auth: 'admin',
    handler: ({ ctx, params }) => json(ctx.moderation.getSubjectStatus(params as SubjectStatusQuery)),
  }),
  xrpcMethod(ids.ComAtprotoAdminUpdateSubjectStatus, {
    auth: 'admin',
    handler: ({ ctx, input }) =>
      json(ctx.moderation.updateSubjectStatus(jsonInput<SubjectStatusUpdate>(input))),
  }),
  ...inviteMethods(),
  xrpcMethod(ids.ComAtprotoAdminSendEmail, {
    auth: 'admin',
    handler: async ({ ctx, input }) => json(await ctx.admin.sendEmail(jsonInput<SendEmailInput>(input))),
  }),
]

function inviteMethods() {
  return [
    xrpcMethod(ids.ComAtprotoAdminGetInviteCodes, {
      auth: 'admin',
      handler: ({ ctx, params }) =>
        json(ctx.admin.getInviteCodes(params as { sort: string; limit: number; cursor?: string })),
    }),
    xrpcMethod(ids.ComAtprotoAdminDisableInviteCodes, {
      auth: 'admin',
      handler: ({ ctx, input }) => {
        ctx.admin.disableInviteCodes(jsonInput<{ codes?: string[]; accounts?: string[] }>(input))
        return undefined
      },
    }),
    xrpcMethod(ids.ComAtprotoAdminDisableAccountInvites, {
      auth: 'admin',
      handler: ({ ctx, input }) => {
        ctx.admin.setAccountInvitesDisabled(jsonInput<{ account: string }>(input).account, true)
        return undefined
      },
    }),
    xrpcMethod(ids.ComAtprotoAdminEnableAccountInvites, {
      auth: 'admin',
      handler: ({ ctx, input }) => {
        ctx.admin.setAccountInvitesDisabled(jsonInput<{ account: string }>(input).account, false)
        return undefined
      },
    }),
  ]
}
