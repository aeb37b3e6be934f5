/**
 * What a taken-down account may still do (the reference PDS's `com.atproto.takendown` scope).
 * createSession with `allowTakendown: true` gives such an account a session of scope `takendown`
 * instead of refusing it with AccountTakedown. These methods alone accept that session: export
 * its own repository and blobs, read its preferences, appeal (createReport, service auth for the
 * moderation service), deactivate, and move its identity elsewhere. Any other method answers
 * 400 InvalidToken "Bad token scope", and the session cannot be refreshed.
 */
import { ids } from '../../../lexicons/ids.ts'

export const TAKENDOWN_SESSION_METHODS: ReadonlySet<string> = new Set([
  ids.AppBskyActorGetPreferences,
  ids.ComAtprotoIdentityRequestPlcOperationSignature,
  ids.ComAtprotoIdentitySignPlcOperation,
  ids.ComAtprotoModerationCreateReport,
  ids.ComAtprotoServerDeactivateAccount,
  ids.ComAtprotoServerGetServiceAuth,
  ids.ComAtprotoSyncGetBlob,
  ids.ComAtprotoSyncGetRepo,
  ids.ComAtprotoSyncListBlobs,
])
