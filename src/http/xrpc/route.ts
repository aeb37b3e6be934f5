/**
 * Lexicon-driven XRPC dispatch for every `/xrpc/<nsid>` request, in the reference order:
 *   NSID known? → HTTP verb (400) → handler registered? (if not: `unhandled`, the service proxy,
 *   else 501) → params coerced and
 *   validated from the lexicon (400) → auth → input: Content-Type, size limit, JSON parsed into
 *   data-model values ($link → CID, $bytes → bytes) and lexicon-validated, or a limited stream
 *   for binary bodies (400/413/415) → the method's rate limits (429; the global per-IP one is
 *   charged as soon as the NSID is parsed) → handler → output
 *   (checked against the lexicon only when `validateOutput` is on: tests and `serve --dev`).
 * Elysia's own body/query schemas are never used here, because they would run before auth.
 * Everything thrown propagates to the error mapper.
 */
import { jsonToLex } from '../../core/data-model.ts'
import { isValidNsid, type Nsid } from '../../core/syntax/nsid.ts'
import type { Logger } from '../../lib/logger.ts'
import type { AppContext } from '../../services/context.ts'
import { InvalidRequestError, MethodNotImplementedError } from '../../services/errors.ts'
import type { RateLimits } from '../../services/rate-limit/index.ts'
import type { ClientInfo } from '../client-info.ts'
import {
  assertNoBody,
  bodyPresence,
  encodingMatches,
  limitedBody,
  readJsonBody,
  requestEncoding,
} from './body.ts'
import { asInvalidRequest, type XrpcLexicons } from './lexicons.ts'
import { checkOutput, outputResponse } from './output.ts'
import { type CallLimits, startCallLimits } from './rate-limit.ts'
import type { AnyXrpcMethod, AuthMode, AuthVerifiers, XrpcInput, XrpcMethod } from './types.ts'

const XRPC_PREFIX = '/xrpc/'

export interface XrpcRouterOptions {
  ctx: AppContext
  lexicons: XrpcLexicons
  methods: readonly AnyXrpcMethod[]
  auth: AuthVerifiers
  validateOutput: boolean
  /** Default byte limit of binary inputs (blob_upload_limit). */
  binaryInputLimit: number
  /** Answers calls no handler here takes (an unknown NSID too); without it they get 501. */
  unhandled?: (call: XrpcCall, nsid: Nsid) => Promise<Response>
  /** The global limit once the NSID is known, each method's own after input (./rate-limit.ts). */
  rateLimits?: RateLimits
}

/** What the HTTP layer knows about the request before dispatch. */
export interface XrpcCall {
  request: Request
  url: URL
  client: ClientInfo
  requestId: string
  logger: Logger
}

export type XrpcRouter = (call: XrpcCall) => Promise<Response>

export function createXrpcRouter(opts: XrpcRouterOptions): XrpcRouter {
  const served = opts.methods.filter((method) => method.enabled?.(opts.ctx.config) ?? true)
  const handlers = indexMethods(opts.lexicons, served)
  return async (call) => {
    const nsid = nsidFromPath(call.url.pathname)
    const limits = startCallLimits(opts.rateLimits, call.request, call.client, nsid)
    const method = resolveMethod(opts.lexicons, handlers, nsid, call.request.method)
    if (method === undefined) {
      if (opts.unhandled === undefined) throw new MethodNotImplementedError()
      return opts.unhandled(call, nsid)
    }
    const params = parseParams(opts.lexicons, nsid, call.url.searchParams)
    return runMethod(opts, method, call, params, limits)
  }
}

/** The handler table, checked once at start-up against the lexicons. */
function indexMethods(lexicons: XrpcLexicons, methods: readonly AnyXrpcMethod[]): Map<string, AnyXrpcMethod> {
  const table = new Map<string, AnyXrpcMethod>()
  for (const method of methods) {
    const type = lexicons.getMethod(method.nsid)?.type
    if (type !== 'query' && type !== 'procedure') {
      throw new Error(`xrpc: ${method.nsid} is not a query or procedure in the lexicons`)
    }
    if (table.has(method.nsid)) throw new Error(`xrpc: ${method.nsid} is registered twice`)
    table.set(method.nsid, method)
  }
  return table
}

/** `/xrpc/<nsid>`, a trailing slash allowed as by the reference. */
function nsidFromPath(pathname: string): Nsid {
  const nsid = pathname.slice(XRPC_PREFIX.length, pathname.endsWith('/') ? -1 : undefined)
  if (pathname.startsWith(XRPC_PREFIX) && isValidNsid(nsid)) return nsid
  throw new InvalidRequestError('invalid xrpc path')
}

function resolveMethod(
  lexicons: XrpcLexicons,
  handlers: Map<string, AnyXrpcMethod>,
  nsid: Nsid,
  verb: string,
): AnyXrpcMethod | undefined {
  const def = lexicons.getMethod(nsid)
  if (def === undefined) return undefined
  const expected = def.type === 'query' ? 'GET' : def.type === 'procedure' ? 'POST' : undefined
  if (expected !== undefined && verb !== expected && !(verb === 'HEAD' && expected === 'GET')) {
    throw new InvalidRequestError(`Incorrect HTTP method (${verb}) expected ${expected}`)
  }
  return handlers.get(nsid)
}

/** Repeated names become arrays; the lexicon coerces strings to integers, booleans and so on. */
function parseParams(lexicons: XrpcLexicons, nsid: string, search: URLSearchParams): Record<string, unknown> {
  const raw: Record<string, string | string[]> = Object.create(null)
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key)
    raw[key] = values.length === 1 ? values[0]! : values
  }
  return asInvalidRequest(() => lexicons.validateParams(nsid, raw))
}

async function runMethod<M extends AuthMode>(
  opts: XrpcRouterOptions,
  method: XrpcMethod<M>,
  call: XrpcCall,
  params: Record<string, unknown>,
  limits: CallLimits | undefined,
): Promise<Response> {
  const { request, client } = call
  const verify: AuthVerifiers[M] = opts.auth[method.auth]
  const auth = await verify({ request, nsid: method.nsid, params, client })
  const input = await readInput(
    opts.lexicons,
    method.nsid,
    request,
    method.inputLimit ?? opts.binaryInputLimit,
    method.prepareInput && ((json: unknown) => method.prepareInput!(json, opts.ctx)),
  )
  limits?.consume(method.nsid, auth, input)
  const output = await method.handler({
    ctx: opts.ctx,
    nsid: method.nsid,
    params,
    input,
    auth,
    client,
    request,
    requestId: call.requestId,
    logger: call.logger,
    signal: request.signal,
  })
  if (opts.validateOutput) checkOutput(opts.lexicons, method.nsid, output)
  const response = outputResponse(output, request.headers.get('accept-encoding'))
  return limits?.finish(response) ?? response
}

async function readInput(
  lexicons: XrpcLexicons,
  nsid: string,
  request: Request,
  binaryLimit: number,
  prepare: ((json: unknown) => unknown) | undefined,
): Promise<XrpcInput | undefined> {
  const allowed = lexicons.getInputEncoding(nsid)
  if (allowed === undefined) {
    await assertNoBody(request)
    return undefined
  }
  if (bodyPresence(request.headers) === 'missing') {
    throw new InvalidRequestError('A request body is expected but none was provided')
  }
  const encoding = requestEncoding(request.headers)
  if (!encodingMatches(allowed, encoding)) {
    throw new InvalidRequestError(`Wrong request encoding (Content-Type): ${encoding}`)
  }
  // Only a JSON-only lexicon input is parsed: under */* (uploadBlob) a JSON file is just bytes.
  if (allowed.trim().toLowerCase() === 'application/json') {
    const json = await readJsonBody(request)
    const prepared = prepare === undefined ? json : prepare(json)
    const body = asInvalidRequest(() => lexicons.validateInput(nsid, jsonToLex(prepared)))
    return { kind: 'json', encoding: 'application/json', body }
  }
  return { kind: 'stream', encoding, body: limitedBody(request, binaryLimit) }
}
