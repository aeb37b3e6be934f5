/** com.atproto.server.*: server description, and later accounts and sessions. */
import { ids } from '../../../lexicons/ids.ts'
import { describeServer } from '../../services/server-info.ts'
import { xrpcMethod } from './types.ts'

export const comAtprotoServer = [
  xrpcMethod(ids.ComAtprotoServerDescribeServer, {
    auth: 'none',
    handler: ({ ctx }) => ({ encoding: 'application/json', body: describeServer(ctx.config) }),
  }),
]
