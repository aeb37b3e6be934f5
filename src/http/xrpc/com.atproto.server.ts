/**
 * com.atproto.server.*: server description, accounts, sessions, app passwords, email flows and
 * invites. The handlers live in ./com.atproto.server/, one file per group.
 */
import { ids } from '../../../lexicons/ids.ts'
import { describeServer } from '../../services/server-info.ts'
import { accountMethods } from './com.atproto.server/account.ts'
import { appPasswordMethods } from './com.atproto.server/app-passwords.ts'
import { emailMethods } from './com.atproto.server/email.ts'
import { inviteMethods } from './com.atproto.server/invites.ts'
import { sessionMethods } from './com.atproto.server/sessions.ts'
import { xrpcMethod } from './types.ts'

export const comAtprotoServer = [
  xrpcMethod(ids.ComAtprotoServerDescribeServer, {
    auth: 'none',
    handler: ({ ctx }) => ({ encoding: 'application/json', body: describeServer(ctx.config) }),
  }),
  ...sessionMethods,
  ...appPasswordMethods,
  ...emailMethods,
  ...accountMethods,
  ...inviteMethods,
]
