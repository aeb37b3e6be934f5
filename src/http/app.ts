/**
 * The route table: every HTTP route of the server on one screen. Each route returns a Response;
 * anything thrown goes through the one error mapper; every response passes `requests.finish`
 * (request id, CORS headers, the log line). XRPC methods live in ./xrpc/, one file per namespace.
 */
import { Elysia } from 'elysia'
import type { AppContext } from '../services/context.ts'
import { NotFoundError } from '../services/errors.ts'
import { clientInfo } from './client-info.ts'
import { preflightResponse } from './cors.ts'
import { errorResponse } from './error-mapper.ts'
import { healthResponse } from './health.ts'
import { homeResponse, robotsResponse } from './home.ts'
import { RequestLog } from './request-log.ts'
import { didJsonResponse } from './well-known.ts'
import { createAuthVerifiers } from './xrpc/auth.ts'
import type { XrpcLexicons } from './xrpc/lexicons.ts'
import { createXrpcRouter } from './xrpc/route.ts'
import type { AnyXrpcMethod } from './xrpc/types.ts'

export interface AppOptions {
  /** The lexicon catalogue (built once per process by the caller). */
  lexicons: XrpcLexicons
  /** Check XRPC responses against the lexicons (tests and `serve --dev`); see xrpc/output.ts. */
  validateOutput?: boolean
  /** The XRPC handler table (xrpc/methods.ts, or a test's own). */
  methods: readonly AnyXrpcMethod[]
}

export function createApp(ctx: AppContext, opts: AppOptions) {
  const requests = new RequestLog(ctx.logger)
  const xrpc = createXrpcRouter({
    ctx,
    lexicons: opts.lexicons,
    methods: opts.methods,
    auth: createAuthVerifiers(),
    validateOutput: opts.validateOutput ?? false,
    binaryInputLimit: ctx.config.blob_upload_limit,
  })
  return new Elysia()
    .onRequest(({ request }) => {
      requests.begin(request)
    })
    .onError(({ request, error, code }) => {
      const { id, url } = requests.state(request)
      const err = code === 'NOT_FOUND' ? new NotFoundError() : error
      return errorResponse(err, {
        logger: ctx.logger,
        requestId: id,
        method: request.method,
        path: url.pathname,
      })
    })
    .mapResponse(({ request, responseValue, server }) =>
      responseValue instanceof Response ? requests.finish(request, responseValue, server) : undefined,
    )
    .get('/', homeResponse)
    .get('/robots.txt', robotsResponse)
    .get('/_health', () => healthResponse(ctx))
    .get('/xrpc/_health', () => healthResponse(ctx))
    .get('/.well-known/did.json', () => didJsonResponse(ctx.config))
    .options('/xrpc/*', ({ request }) => preflightResponse(request))
    .options('/.well-known/*', ({ request }) => preflightResponse(request))
    .all(
      '/xrpc/*',
      ({ request, server }) => {
        const { id, url } = requests.state(request)
        const logger = ctx.logger.child({ requestId: id })
        return xrpc({ request, url, client: clientInfo(request, server), requestId: id, logger })
      },
      { parse: 'none' },
    )
    .all('*', () => {
      throw new NotFoundError()
    })
}
