/**
 * The route table: every HTTP route of the server on one screen. Each route returns a Response;
 * anything thrown goes through the one error mapper; every response passes `requests.finish`
 * (request id, CORS headers, the log line). XRPC methods live in ./xrpc/, one file per namespace.
 */
import { Elysia } from 'elysia'
import type { AppContext } from '../services/context.ts'
import { NotFoundError } from '../services/errors.ts'
import { RateLimits } from '../services/rate-limit/index.ts'
import { clientInfo } from './client-info.ts'
import { preflightResponse } from './cors.ts'
import { accountDidJsonResponse } from './did-web.ts'
import { errorResponse } from './error-mapper.ts'
import { firehoseRoutes } from './firehose.ts'
import { healthResponse } from './health.ts'
import { homeResponse, robotsResponse } from './home.ts'
import { allowCertResponse, atprotoDidResponse } from './identity-routes.ts'
import { createMetricsEndpoint } from './metrics.ts'
import { createOAuthHttp, webRequest } from './oauth/index.ts'
import { createProxyRoute } from './proxy.ts'
import { RequestLog } from './request-log.ts'
import { createHttpTelemetry } from './telemetry.ts'
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
  const oauth = createOAuthHttp(ctx)
  // Request metrics, error counts and Sentry reports (docs/METRICS.md).
  const telemetry = createHttpTelemetry(ctx, opts.lexicons)
  const metrics = createMetricsEndpoint(ctx)
  const auth = telemetry.observeAuth(createAuthVerifiers(ctx))
  const xrpc = createXrpcRouter({
    ctx,
    lexicons: opts.lexicons,
    methods: opts.methods,
    auth,
    validateOutput: opts.validateOutput ?? false,
    binaryInputLimit: ctx.config.blob_upload_limit,
    // Methods not served here go to the AppView, chat, or the service the client names.
    unhandled: createProxyRoute(ctx, auth),
    // docs/RATE-LIMITS.md
    rateLimits: ctx.config.rate_limits_enabled
      ? new RateLimits({ bypassKey: ctx.config.rate_limit_bypass_key })
      : undefined,
  })
  return (
    new Elysia()
      .onRequest(({ request }) => {
        requests.begin(request)
      })
      .onError(({ request, error, code }) => {
        const state = requests.state(request)
        const { id, url } = state
        const err = code === 'NOT_FOUND' ? new NotFoundError() : error
        telemetry.failed(request, state, err)
        return errorResponse(err, {
          logger: ctx.logger,
          requestId: id,
          method: request.method,
          path: url.pathname,
        })
      })
      .mapResponse(({ request, responseValue, server }) => {
        if (!(responseValue instanceof Response)) return undefined
        telemetry.responded(request, requests.state(request), responseValue.status)
        return requests.finish(request, responseValue, server)
      })
      .get('/', homeResponse)
      .get('/robots.txt', robotsResponse)
      .get('/_health', () => healthResponse(ctx))
      .get('/xrpc/_health', () => healthResponse(ctx))
      .get('/metrics', ({ request, server }) => metrics(request, server))
      .get('/.well-known/did.json', () => didJsonResponse(ctx.config))
      .get('/users/:id/did.json', ({ params }) => accountDidJsonResponse(ctx, params.id))
      // Per-handle hosts and the on-demand TLS gate (docs/IDENTITY.md).
      .get('/.well-known/atproto-did', ({ request, server }) => atprotoDidResponse(ctx, request, server))
      .get('/_allow-cert', ({ request }) => allowCertResponse(ctx, requests.state(request).url))
      // OAuth (docs/OAUTH.md): discovery, signing keys, PAR, token, revocation, the pages.
      .get('/.well-known/oauth-protected-resource', oauth.endpoints.protectedResource)
      .get('/.well-known/oauth-authorization-server', oauth.endpoints.authorizationServer)
      .get('/oauth/jwks', oauth.endpoints.jwks)
      .options('/oauth/*', ({ request }) => preflightResponse(request))
      .post('/oauth/par', ({ request, server }) => oauth.endpoints.par(webRequest(request, server)), {
        parse: 'none',
      })
      .post('/oauth/token', ({ request, server }) => oauth.endpoints.token(webRequest(request, server)), {
        parse: 'none',
      })
      .post('/oauth/revoke', ({ request, server }) => oauth.endpoints.revoke(webRequest(request, server)), {
        parse: 'none',
      })
      .get('/oauth/authorize', ({ request, server }) => oauth.authorize.show(webRequest(request, server)))
      .post(
        '/oauth/authorize',
        ({ request, server }) => oauth.authorize.submit(webRequest(request, server)),
        {
          parse: 'none',
        },
      )
      .get('/oauth/assets/style.css', oauth.stylesheet)
      .get('/account', ({ request, server }) => oauth.account.show(webRequest(request, server)))
      .post('/account', ({ request, server }) => oauth.account.submit(webRequest(request, server)), {
        parse: 'none',
      })
      // GET /xrpc/com.atproto.sync.subscribeRepos (WebSocket), with event pruning and crawler pings.
      .use(
        firehoseRoutes(
          { firehose: ctx.firehose, logger: ctx.logger, tally: ctx.metrics.firehoseTally },
          opts.lexicons,
        ),
      )
      .options('/xrpc/*', ({ request }) => preflightResponse(request))
      .options('/.well-known/*', ({ request }) => preflightResponse(request))
      .all(
        '/xrpc/*',
        ({ request, server }) => {
          const { id, url } = requests.state(request)
          const logger = ctx.logger.child({ requestId: id })
          const call = { request, url, client: clientInfo(request, server), requestId: id, logger }
          return xrpc(call).then((response) => oauth.withDpopNonce(request, response))
        },
        { parse: 'none' },
      )
      .all('*', () => {
        throw new NotFoundError()
      })
  )
}
