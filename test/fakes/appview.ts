/**
 * A fake atproto service on 127.0.0.1 (AppView, chat, or any other) for the proxy tests. It
 * checks every service-auth token the way a real service would, independently of our own
 * verifier: the issuer's DID document is resolved, its `#atproto` key taken, the ES256K
 * signature checked with @atproto/crypto, and `aud` (the service DID, with or without one of its
 * service fragments, or what the test expects instead), `lxm` (the method called, or what the
 * test expects instead) and `exp` compared. A bad token answers 401 BadJwt. Every call is recorded; the default answer echoes
 * it. The service is `did:web:localhost%3A<port>` and serves its own DID document with the
 * service entries it was given.
 *
 *   const appview = await startFakeService({ services: { bsky_appview: 'BskyAppView' }, plcUrl })
 *   appview.on('app.bsky.actor.getProfile', (call) => Response.json({ ... }))
 */
import { verifySignature } from '@atproto/crypto'
import { DidResolver, getVerificationKey } from '../../src/services/identity/index.ts'
import { createSafeFetch } from '../../src/services/outbound/index.ts'

export interface ReceivedCall {
  method: string
  nsid: string
  query: URLSearchParams
  headers: Headers
  body: string
  /** The verified claims of the service-auth token; null when the call had none. */
  jwt: { iss: string; aud: string; lxm?: string; exp: number; iat?: number; jti?: string } | null
}

export type CallHandler = (call: ReceivedCall) => Response | Promise<Response>

export interface FakeServiceOptions {
  /** Service entries of the DID document: id (without `#`) → type. */
  services: Record<string, string>
  /** Where the issuers' did:plc documents live (did:web:localhost works without). */
  plcUrl?: string
  /** The endpoint the DID document names; default this server (a dead port for 502 tests). */
  endpoint?: string
}

export interface ExpectedToken {
  aud?: string
  lxm?: string
}

export interface FakeService {
  url: string
  did: string
  calls: ReceivedCall[]
  /** Answers `nsid` with `handler` from now on. */
  on(nsid: string, handler: CallHandler): void
  /** What tokens for `nsid` must carry instead of this service and `nsid` (getFeed). */
  expectToken(nsid: string, expected: ExpectedToken): void
  stop(): Promise<void>
}

interface ServiceState {
  url: string
  did: string
  opts: FakeServiceOptions
  resolver: DidResolver
  handlers: Map<string, CallHandler>
  expectations: Map<string, ExpectedToken>
  calls: ReceivedCall[]
}

export async function startFakeService(opts: FakeServiceOptions): Promise<FakeService> {
  const state: ServiceState = {
    url: '',
    did: '',
    opts,
    resolver: new DidResolver({
      plcUrl: opts.plcUrl ?? 'http://127.0.0.1:1',
      fetch: createSafeFetch({ allowPrivate: true, timeoutMs: 5000, maxBytes: 1 << 20, userAgent: 'fake' }),
      allowLocalhostDidWeb: true,
    }),
    handlers: new Map(),
    expectations: new Map(),
    calls: [],
  }
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => serve(state, req) })
  state.url = `http://127.0.0.1:${server.port}`
  state.did = `did:web:localhost%3A${server.port}`
  return {
    url: state.url,
    did: state.did,
    calls: state.calls,
    on: (nsid, handler) => state.handlers.set(nsid, handler),
    expectToken: (nsid, expected) => state.expectations.set(nsid, expected),
    stop: () => server.stop(true),
  }
}

async function serve(state: ServiceState, req: Request): Promise<Response> {
  const url = new URL(req.url)
  if (url.pathname === '/.well-known/did.json') {
    return Response.json(didDocument(state.did, state.opts.endpoint ?? state.url, state.opts.services))
  }
  if (!url.pathname.startsWith('/xrpc/')) return new Response('not found', { status: 404 })
  const nsid = url.pathname.slice('/xrpc/'.length)
  let jwt: ReceivedCall['jwt'] = null
  const authorization = req.headers.get('authorization')
  if (authorization !== null) {
    const expected = state.expectations.get(nsid)
    const want = { aud: expected?.aud, ownDid: state.did, lxm: expected?.lxm ?? nsid }
    const checked = await checkJwt(state.resolver, authorization, want)
    if (typeof checked === 'string')
      return Response.json({ error: 'BadJwt', message: checked }, { status: 401 })
    jwt = checked
  }
  const body = await req.text()
  const call: ReceivedCall = {
    method: req.method,
    nsid,
    query: url.searchParams,
    headers: req.headers,
    body,
    jwt,
  }
  state.calls.push(call)
  return (state.handlers.get(nsid) ?? echo)(call)
}

/** The default answer: what was received. */
export function echo(call: ReceivedCall): Response {
  return Response.json({
    nsid: call.nsid,
    method: call.method,
    query: Object.fromEntries(call.query),
    body: call.body,
    jwt: call.jwt,
  })
}

function didDocument(did: string, endpoint: string, services: Record<string, string>) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    service: Object.entries(services).map(([id, type]) => ({
      id: `#${id}`,
      type,
      serviceEndpoint: endpoint,
    })),
  }
}

/** The verified claims, or what is wrong with the token. */
async function checkJwt(
  resolver: DidResolver,
  authorization: string,
  expected: { aud: string | undefined; ownDid: string; lxm: string },
): Promise<NonNullable<ReceivedCall['jwt']> | string> {
  const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : ''
  const [header, payload, signature] = token.split('.')
  if (!header || !payload || !signature) return 'not a JWT'
  const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string; typ?: string }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as NonNullable<ReceivedCall['jwt']>
  if (head.alg !== 'ES256K') return `unexpected alg ${head.alg}`
  const audOk =
    expected.aud !== undefined
      ? claims.aud === expected.aud
      : claims.aud === expected.ownDid || claims.aud.startsWith(`${expected.ownDid}#`)
  if (!audOk) return `wrong aud ${claims.aud}`
  if (claims.lxm !== expected.lxm) return `wrong lxm ${claims.lxm}, expected ${expected.lxm}`
  if (claims.exp <= Date.now() / 1000) return 'expired'
  const doc = await resolver.resolve(claims.iss)
  const key = doc === null ? undefined : getVerificationKey(doc, 'atproto')
  if (key === undefined) return 'no signing key for iss'
  const data = new TextEncoder().encode(`${header}.${payload}`)
  const sig = new Uint8Array(Buffer.from(signature, 'base64url'))
  const valid = await verifySignature(key, data, sig, { jwtAlg: 'ES256K' })
  return valid ? claims : 'bad signature'
}
