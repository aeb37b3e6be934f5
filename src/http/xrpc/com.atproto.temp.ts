/**
 * com.atproto.temp.*: the sign-up helpers clients call. There is no sign-up queue here, so every
 * account is activated at once; handle availability follows the sign-up rules, with suggestions.
 */
import { ids } from '../../../lexicons/ids.ts'
import { json } from './com.atproto.server/input.ts'
import { xrpcMethod } from './types.ts'

export const comAtprotoTemp = [
  xrpcMethod(ids.ComAtprotoTempCheckSignupQueue, {
    auth: 'access',
    handler: () => json({ activated: true }),
  }),
  xrpcMethod(ids.ComAtprotoTempCheckHandleAvailability, {
    auth: 'none',
    handler: ({ ctx, params }) =>
      json(
        ctx.admin.checkHandleAvailability(params as { handle: string; email?: string; birthDate?: string }),
      ),
  }),
]
