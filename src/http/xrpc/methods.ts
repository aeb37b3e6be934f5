/** Every XRPC method this server implements, one list per namespace file. */
import { comAtprotoServer } from './com.atproto.server.ts'
import type { AnyXrpcMethod } from './types.ts'

export const xrpcMethods: readonly AnyXrpcMethod[] = [...comAtprotoServer]
