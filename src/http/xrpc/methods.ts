/** Every XRPC method this server implements, one list per namespace file. */
import { appBskyActor } from './app.bsky.actor.ts'
import { comAtprotoAdmin } from './com.atproto.admin.ts'
import { comAtprotoIdentity } from './com.atproto.identity.ts'
import { comAtprotoModeration } from './com.atproto.moderation.ts'
import { comAtprotoRepo } from './com.atproto.repo.ts'
import { comAtprotoServer } from './com.atproto.server.ts'
import { syncRepoMethods } from './com.atproto.sync/repo.ts'
import { comAtprotoSync } from './com.atproto.sync.ts'
import { comAtprotoTemp } from './com.atproto.temp.ts'
import type { AnyXrpcMethod } from './types.ts'

export const xrpcMethods: readonly AnyXrpcMethod[] = [
  ...comAtprotoServer,
  ...comAtprotoIdentity,
  ...comAtprotoRepo,
  ...comAtprotoSync,
  ...syncRepoMethods,
  ...appBskyActor,
  ...comAtprotoAdmin,
  ...comAtprotoModeration,
  ...comAtprotoTemp,
]
