/**
 * Client authentication at the PAR, token and revocation endpoints (oauth.md "Confidential
 * Client Authentication"; RFC 7523). Public clients send nothing; confidential clients send a
 * `jwt-bearer` client assertion signed with ES256 by a key of their published JWK Set, with
 * iss = sub = client_id, aud = our issuer, a recent `iat` and a `jti` never seen before.
 * The session is bound to the key that signed its first assertion (kid, alg and thumbprint), so
 * every later assertion must come from the same key; a key the client has removed from its
 * metadata stops working as soon as the cache forgets the old key set.
 */
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose'
import { CLIENT_AUTH_ALGS } from '../../core/oauth/client-metadata.ts'
import { OAuthError } from '../../core/oauth/errors.ts'
import type { ReplayStore } from '../../storage/oauth/index.ts'
import type { ClientResolver, OAuthClient } from './clients.ts'

export type ClientAuth =
  | { method: 'none' }
  | { method: 'private_key_jwt'; kid: string; alg: string; jkt: string }

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** How old an assertion may be (spec: do not reject one made less than a minute ago). */
const ASSERTION_MAX_AGE_SECONDS = 120
const CLOCK_TOLERANCE_SECONDS = 10

export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientResolver,
    private readonly replay: ReplayStore,
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws OAuthError invalid_client. */
  async authenticate(client: OAuthClient, form: URLSearchParams): Promise<ClientAuth> {
    const type = form.get('client_assertion_type')
    const assertion = form.get('client_assertion')
    if (form.has('client_secret')) throw invalidClient('client_secret is not supported')
    if (!client.confidential) {
      if (type !== null || assertion !== null)
        throw invalidClient('this client is public and may not send assertions')
      return { method: 'none' }
    }
    if (type !== JWT_BEARER || !assertion) throw invalidClient(`a ${JWT_BEARER} client_assertion is required`)
    return this.verifyAssertion(client, assertion)
  }

  /** Throws invalid_grant unless `current` is the same authentication as the session's. */
  static assertSame(bound: ClientAuth, current: ClientAuth): void {
    const same =
      bound.method === current.method &&
      (bound.method === 'none' ||
        (current.method === 'private_key_jwt' &&
          bound.kid === current.kid &&
          bound.alg === current.alg &&
          bound.jkt === current.jkt))
    if (!same) throw new OAuthError('invalid_grant', 'the client authentication does not match the session')
  }

  private async verifyAssertion(client: OAuthClient, assertion: string): Promise<ClientAuth> {
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(assertion)
    } catch {
      throw invalidClient('malformed client_assertion')
    }
    const alg = header.alg
    const expected = client.metadata.token_endpoint_auth_signing_alg ?? 'ES256'
    if (alg === undefined || !CLIENT_AUTH_ALGS.includes(alg) || alg !== expected) {
      throw invalidClient('unsupported client_assertion alg')
    }
    const { keys } = await this.clients.keys(client)
    for (const jwk of candidateKeys(keys as JWK[], header.kid, alg)) {
      const payload = await this.verifyWith(jwk, alg, assertion, client.clientId)
      if (payload === undefined) continue
      this.consumeJti(client.clientId, payload)
      const jkt = await calculateJwkThumbprint(jwk, 'sha256')
      return { method: 'private_key_jwt', kid: jwk.kid ?? '', alg, jkt }
    }
    throw invalidClient('the client_assertion is not signed by a key of the client')
  }

  private async verifyWith(jwk: JWK, alg: string, assertion: string, clientId: string) {
    try {
      const key = await importJWK(jwk, alg)
      const { payload } = await jwtVerify(assertion, key, {
        algorithms: [alg],
        issuer: clientId,
        subject: clientId,
        audience: this.issuer,
        maxTokenAge: ASSERTION_MAX_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['iat', 'jti'],
        currentDate: new Date(this.now()),
      })
      return payload
    } catch {
      return undefined
    }
  }

  private consumeJti(clientId: string, payload: { jti?: string; iat?: number; exp?: number }): void {
    const nowMs = this.now()
    const until = Math.max(((payload.iat ?? 0) + ASSERTION_MAX_AGE_SECONDS) * 1000, (payload.exp ?? 0) * 1000)
    const fresh = this.replay.consume(
      'client-assertion',
      `${clientId} ${payload.jti}`,
      new Date(Math.max(until, nowMs) + CLOCK_TOLERANCE_SECONDS * 1000).toISOString(),
      new Date(nowMs).toISOString(),
    )
    if (!fresh) throw invalidClient('the client_assertion was replayed')
  }
}

/** The client's signing keys that could have made an assertion with this header. */
function candidateKeys(keys: JWK[], kid: string | undefined, alg: string): JWK[] {
  return keys.filter(
    (k) =>
      k.kty === 'EC' &&
      k.crv === 'P-256' &&
      k.d === undefined &&
      (k.alg === undefined || k.alg === alg) &&
      (k.use === undefined || k.use === 'sig') &&
      (kid === undefined || k.kid === kid),
  )
}

function invalidClient(description: string): OAuthError {
  return new OAuthError('invalid_client', description)
}
