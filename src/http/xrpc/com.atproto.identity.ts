/**
 * com.atproto.identity.*: resolution (local accounts first, then DNS / well-known / DID methods),
 * handle updates and PLC operations (services/identity, docs/IDENTITY.md). Changing the identity
 * needs a full session: app passwords are refused, as by the reference PDS. refreshIdentity skips
 * every cache and so needs a session, so that anonymous callers cannot make this server fetch on
 * demand.
 */
import { ids } from '../../../lexicons/ids.ts'
import { withNormalizedHandle } from '../../services/accounts/handles.ts'
import type { ResolvedIdentity, SignPlcOperationInput } from '../../services/identity/index.ts'
import { json, jsonInput } from './com.atproto.server/input.ts'
import { xrpcMethod } from './types.ts'

const identityInfo = ({ did, handle, didDoc }: ResolvedIdentity) => json({ did, handle, didDoc })

export const comAtprotoIdentity = [
  xrpcMethod(ids.ComAtprotoIdentityResolveHandle, {
    auth: 'none',
    handler: async ({ ctx, params }) =>
      json({ did: await ctx.identity.resolveHandle(params.handle as string) }),
  }),
  xrpcMethod(ids.ComAtprotoIdentityResolveDid, {
    auth: 'none',
    handler: async ({ ctx, params }) => json({ didDoc: await ctx.identity.resolveDid(params.did as string) }),
  }),
  xrpcMethod(ids.ComAtprotoIdentityResolveIdentity, {
    auth: 'none',
    handler: async ({ ctx, params }) =>
      identityInfo(await ctx.identity.resolveIdentity(params.identifier as string)),
  }),
  xrpcMethod(ids.ComAtprotoIdentityRefreshIdentity, {
    auth: 'access',
    handler: async ({ ctx, input }) =>
      identityInfo(await ctx.identity.refreshIdentity(jsonInput<{ identifier: string }>(input).identifier)),
  }),
  xrpcMethod(ids.ComAtprotoIdentityUpdateHandle, {
    auth: 'accessFull',
    // "alice" becomes "alice.<service_handle_domain>", as at sign-up.
    prepareInput: (body, ctx) => withNormalizedHandle(body, ctx.config.service_handle_domain),
    handler: async ({ ctx, auth, input }) => {
      await ctx.identity.updateHandle(auth.did, jsonInput<{ handle: string }>(input).handle)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoIdentityGetRecommendedDidCredentials, {
    auth: 'access',
    handler: ({ ctx, auth }) => json(ctx.identity.getRecommendedDidCredentials(auth.did)),
  }),
  xrpcMethod(ids.ComAtprotoIdentityRequestPlcOperationSignature, {
    auth: 'accessFull',
    handler: async ({ ctx, auth }) => {
      await ctx.identity.requestPlcOperationSignature(auth.did)
      return undefined
    },
  }),
  xrpcMethod(ids.ComAtprotoIdentitySignPlcOperation, {
    auth: 'accessFull',
    handler: async ({ ctx, auth, input }) => {
      const body = jsonInput<SignPlcOperationInput>(input)
      return json({ operation: await ctx.identity.signPlcOperation(auth.did, body) })
    },
  }),
  xrpcMethod(ids.ComAtprotoIdentitySubmitPlcOperation, {
    auth: 'accessFull',
    handler: async ({ ctx, auth, input }) => {
      await ctx.identity.submitPlcOperation(auth.did, jsonInput<{ operation: unknown }>(input).operation)
      return undefined
    },
  }),
]
