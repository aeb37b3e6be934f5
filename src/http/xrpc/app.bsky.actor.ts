/** app.bsky.actor.*: the preferences the PDS keeps for the account (other methods go to the AppView). */
import { ids } from '../../../lexicons/ids.ts'
import type { LexMap } from '../../core/data-model.ts'
import { json, jsonInput } from './com.atproto.server/input.ts'
import { xrpcMethod } from './types.ts'

export const appBskyActor = [
  xrpcMethod(ids.AppBskyActorGetPreferences, {
    auth: 'access',
    handler: ({ ctx, auth }) => json({ preferences: ctx.preferences.get(auth.did, auth.scope) }),
  }),
  xrpcMethod(ids.AppBskyActorPutPreferences, {
    auth: 'access',
    handler: ({ ctx, auth, input }) => {
      const { preferences } = jsonInput<{ preferences: LexMap[] }>(input)
      ctx.preferences.put(auth.did, preferences, auth.scope)
      return undefined
    },
  }),
]
