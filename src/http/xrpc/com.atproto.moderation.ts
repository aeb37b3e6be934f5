/**
 * com.atproto.moderation.createReport, answered here only when reports stay on this server
 * (`report_service_url` is ""; docs/ADMIN.md "Reports"). Otherwise the method has no handler here
 * and the service proxy forwards it to the configured moderation service (docs/PROXY.md).
 * A taken-down account's restricted session may report too (an appeal).
 */
import { ids } from '../../../lexicons/ids.ts'
import { type CreateReportInput, reportsStoredLocally } from '../../services/moderation/index.ts'
import { json, jsonInput } from './com.atproto.server/input.ts'
import { xrpcMethod } from './types.ts'

export const comAtprotoModeration = [
  xrpcMethod(ids.ComAtprotoModerationCreateReport, {
    auth: 'access',
    enabled: reportsStoredLocally,
    handler: ({ ctx, auth, input }) =>
      json(ctx.moderation.createReport(auth.did, jsonInput<CreateReportInput>(input))),
  }),
]
