/**
 * The shapes an XRPC method is declared with. A namespace file (com.atproto.server.ts, …) exports
 * a list of `xrpcMethod(nsid, { auth, handler })`; route.ts runs the checks around each handler.
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import type { AccessAuth } from '../../services/auth/sessions.ts'
import type { AppContext } from '../../services/context.ts'
import type { ClientInfo } from '../client-info.ts'

/**
 * The auth schemes a method can ask for, each with the value its verifier produces. A new scheme
 * (access token, refresh token, admin, service JWT) is a new key here plus its verifier in auth.ts.
 */
export interface AuthResults {
  none: null
  /** A valid access token of a live session, any scope; taken-down accounts are refused. */
  access: AccessAuth
  /** As `access`, but app-password sessions are refused (account security). */
  accessFull: AccessAuth
  /** As `access`, but only full sessions and privileged app passwords. */
  accessPrivileged: AccessAuth
  /** As `accessFull` when an Authorization header is present; null without one. */
  accessFullOptional: AccessAuth | null
  /** As `access` when an Authorization header is present; null without one. */
  optionalAccess: AccessAuth | null
  /** A valid refresh token (its liveness is checked by the session service). */
  refresh: RefreshAuth
  /** HTTP Basic `admin:<admin_password>`. */
  admin: AdminAuthResult
  /** A service-auth JWT for this method and our service DID, or null without Authorization. */
  serviceAuthOptional: ServiceAuthResult | null
}

export type { AccessAuth }

export interface RefreshAuth {
  did: string
  tokenId: string
}

export interface AdminAuthResult {
  admin: true
}

export interface ServiceAuthResult {
  /** The DID that signed the token. */
  did: string
}

export type AuthMode = keyof AuthResults

export interface AuthRequest {
  request: Request
  nsid: string
  params: Record<string, unknown>
  client: ClientInfo
}

export type AuthVerifiers = {
  [M in AuthMode]: (req: AuthRequest) => AuthResults[M] | Promise<AuthResults[M]>
}

/**
 * A JSON body (parsed into data-model values: CIDs, bytes; lexicon-validated), or a binary body
 * still streaming in.
 */
export type XrpcInput =
  | { kind: 'json'; encoding: 'application/json'; body: unknown }
  | { kind: 'stream'; encoding: string; body: ReadableStream<Uint8Array> }

export interface XrpcRequest<A> {
  ctx: AppContext
  nsid: string
  /** Coerced and validated from the lexicon's parameters. */
  params: Record<string, unknown>
  input: XrpcInput | undefined
  auth: A
  client: ClientInfo
  request: Request
  requestId: string
  logger: Logger
  /** Aborted when the client goes away; queries should stop early, procedures should finish. */
  signal: AbortSignal
}

export interface XrpcJsonOutput {
  encoding: 'application/json'
  /** A data-model value; CIDs and bytes are written as `{$link}` / `{$bytes}`. */
  body: unknown
  headers?: Record<string, string>
}

export interface XrpcBinaryOutput {
  encoding: string
  body: Uint8Array | ReadableStream<Uint8Array> | Blob
  headers?: Record<string, string>
}

/** `undefined` for methods without output (an empty 200). */
export type XrpcOutput = XrpcJsonOutput | XrpcBinaryOutput | undefined

export interface XrpcMethod<M extends AuthMode> {
  nsid: string
  auth: M
  /** Byte limit of a binary input; defaults to the config's blob_upload_limit. */
  inputLimit?: number
  /**
   * Rewrites a parsed JSON body before lexicon validation, for conveniences the lexicon's formats
   * would refuse (createAccount completes a bare handle with the service domain). It may throw an
   * XrpcError with a more precise error name than validation would give; anything else malformed
   * is left for validation to report.
   */
  prepareInput?(json: unknown, ctx: AppContext): unknown
  /**
   * Whether this server answers the method under this config (default: always). Otherwise the
   * method is left to the `unhandled` route (the service proxy), like one without a handler.
   */
  enabled?(config: Config): boolean
  // Method syntax on purpose: it lets a list of methods with different auth schemes type-check
  // as AnyXrpcMethod[] (function-typed properties would be checked contravariantly).
  handler(req: XrpcRequest<AuthResults[M]>): XrpcOutput | Promise<XrpcOutput>
}

/** Any method, whatever its auth scheme (a union, so each handler keeps its precise auth type). */
export type AnyXrpcMethod = { [M in AuthMode]: XrpcMethod<M> }[AuthMode]

export function xrpcMethod<M extends AuthMode>(
  nsid: string,
  def: Omit<XrpcMethod<M>, 'nsid'>,
): XrpcMethod<M> {
  return { nsid, ...def }
}

/** The account an auth result speaks for (access, refresh and service auth), if any. */
export function authDid(auth: unknown): string | undefined {
  const did = typeof auth === 'object' && auth !== null ? (auth as { did?: unknown }).did : undefined
  return typeof did === 'string' ? did : undefined
}
