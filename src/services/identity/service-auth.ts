/**
 * Inter-service auth tokens (spec: xrpc "Inter-Service Authentication (JWT)"): creating the
 * tokens this server signs for its accounts, and verifying tokens other services send us.
 * Verification follows the reference verifier's order and error names (BadJwt, BadJwtType,
 * JwtExpired, BadJwtAudience, BadJwtLexiconMethod, BadJwtIss, BadJwtSignature), and adds what
 * the spec requires of a token: a `jti`, an `iat` that is not in the future, and a lifetime of at
 * most an hour (the most the reference PDS will issue).
 * The key is the issuer's `#atproto` key (`#atproto_label` for `<did>#atproto_labeler` issuers);
 * when the signature does not match the cached document, the document is fetched once more in
 * case the key was rotated.
 */
import type { Keypair } from '../../core/crypto/keypair.ts'
import {
  type DecodedJwt,
  decodeServiceJwt,
  encodeServiceJwt,
  JwtFormatError,
  verifyJwtSignature,
} from '../../core/service-jwt.ts'
import { isValidDid } from '../../core/syntax/did.ts'
import { AuthRequiredError } from '../errors.ts'
import { getVerificationKey } from './did-document.ts'
import type { DidResolver } from './did-resolver.ts'

export interface CreateServiceJwtOptions {
  iss: string
  aud: string
  lxm?: string | null
  keypair: Keypair
  /** Lifetime; default 60 s. */
  expSeconds?: number
  /** Milliseconds; injected for tests. */
  now?: () => number
}

export interface VerifyServiceJwtOptions {
  /** Our service DID(s), with or without a `#service` fragment; the token's aud must be one of them. */
  aud: string | readonly string[]
  /** The method being called, or null when the endpoint does not bind tokens to a method. */
  lxm: string | null
  resolver: Pick<DidResolver, 'resolve'>
  now?: () => number
}

export interface VerifiedServiceJwt {
  /** The issuer as written, possibly with a `#service` fragment. */
  iss: string
  /** The issuer's DID. */
  did: string
  aud: string
  lxm?: string
  jti: string
  exp: number
}

const DEFAULT_LIFETIME_SECONDS = 60
const MAX_LIFETIME_SECONDS = 3600
/** Tolerated clock difference between us and the issuer. */
const CLOCK_SKEW_SECONDS = 60
const REFUSED_TYPES = new Set(['at+jwt', 'refresh+jwt', 'dpop+jwt'])

export function createServiceJwt(opts: CreateServiceJwtOptions): string {
  const iat = Math.floor((opts.now ?? Date.now)() / 1000)
  const jti = crypto.getRandomValues(new Uint8Array(16)).toHex()
  const lxm = opts.lxm ?? undefined
  const payload = {
    iat,
    iss: opts.iss,
    aud: opts.aud,
    exp: iat + (opts.expSeconds ?? DEFAULT_LIFETIME_SECONDS),
    jti,
  }
  return encodeServiceJwt(lxm === undefined ? payload : { ...payload, lxm }, opts.keypair)
}

export async function verifyServiceJwt(
  token: string,
  opts: VerifyServiceJwtOptions,
): Promise<VerifiedServiceJwt> {
  const jwt = decode(token)
  const { header, payload } = jwt
  if (typeof header.typ === 'string' && REFUSED_TYPES.has(header.typ)) {
    throw new AuthRequiredError(`Invalid jwt type "${header.typ}"`, 'BadJwtType')
  }
  const now = (opts.now ?? Date.now)() / 1000
  if (now > payload.exp) throw new AuthRequiredError('jwt expired', 'JwtExpired')
  if (payload.exp > now + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw new AuthRequiredError('jwt expires too far in the future', 'BadJwt')
  }
  const audiences = typeof opts.aud === 'string' ? [opts.aud] : opts.aud
  if (!audiences.includes(payload.aud)) {
    throw new AuthRequiredError('jwt audience does not match service did', 'BadJwtAudience')
  }
  if (opts.lxm !== null && payload.lxm !== opts.lxm) {
    const problem = payload.lxm === undefined ? 'missing' : 'bad'
    throw new AuthRequiredError(
      `${problem} jwt lexicon method ("lxm"). must match: ${opts.lxm}`,
      'BadJwtLexiconMethod',
    )
  }
  if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_SECONDS) {
    throw new AuthRequiredError('jwt issued in the future', 'BadJwt')
  }
  if (payload.jti === undefined || payload.jti.length === 0)
    throw new AuthRequiredError('jwt has no jti', 'BadJwt')
  const issuer = parseIssuer(payload.iss, header.kid)
  await checkSignature(jwt, issuer, opts.resolver)
  const verified: VerifiedServiceJwt = {
    iss: payload.iss,
    did: issuer.did,
    aud: payload.aud,
    jti: payload.jti,
    exp: payload.exp,
  }
  if (payload.lxm !== undefined) verified.lxm = payload.lxm
  return verified
}

function decode(token: string): DecodedJwt {
  try {
    return decodeServiceJwt(token)
  } catch (err) {
    if (err instanceof JwtFormatError) throw new AuthRequiredError(err.message, 'BadJwt')
    throw err
  }
}

interface Issuer {
  did: string
  keyId: string
}

/** The issuer DID and the verification method that must have signed (see the header comment). */
function parseIssuer(iss: string, kid: unknown): Issuer {
  const hash = iss.indexOf('#')
  const did = hash === -1 ? iss : iss.slice(0, hash)
  const service = hash === -1 ? undefined : iss.slice(hash + 1)
  if (!isValidDid(did) || service === '' || service?.includes('#')) {
    throw new AuthRequiredError('jwt iss is not a valid did', 'BadJwtIss')
  }
  const keyId = service === 'atproto_labeler' ? 'atproto_label' : 'atproto'
  if (kid !== undefined && kid !== `#${keyId}`) {
    throw new AuthRequiredError(`jwt kid must be #${keyId}`, 'BadJwt')
  }
  return { did, keyId }
}

async function checkSignature(
  jwt: DecodedJwt,
  issuer: Issuer,
  resolver: VerifyServiceJwtOptions['resolver'],
) {
  const key = await signingKey(issuer, resolver, false)
  if (verifyJwtSignature(jwt, key)) return
  const freshKey = await signingKey(issuer, resolver, true)
  if (freshKey !== key && verifyJwtSignature(jwt, freshKey)) return
  throw new AuthRequiredError('jwt signature does not match jwt issuer', 'BadJwtSignature')
}

async function signingKey(
  issuer: Issuer,
  resolver: VerifyServiceJwtOptions['resolver'],
  forceRefresh: boolean,
) {
  let doc: Awaited<ReturnType<DidResolver['resolve']>>
  try {
    doc = await resolver.resolve(issuer.did, { forceRefresh })
  } catch (err) {
    throw new AuthRequiredError('could not resolve iss did', undefined, { cause: err })
  }
  if (doc === null) throw new AuthRequiredError('could not resolve iss did')
  const key = getVerificationKey(doc, issuer.keyId)
  if (key === undefined) throw new AuthRequiredError('missing or bad key in did doc')
  return key
}
