// Service-auth JWTs: the verification policy, key rotation against the fake PLC, and interop with
// @atproto/xrpc-server in both directions.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as atprotoCrypto from '@atproto/crypto'
import { createServiceJwt as refCreateServiceJwt, verifyJwt as refVerifyJwt } from '@atproto/xrpc-server'
import { type Keypair, P256Keypair, Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import { buildGenesisOp, buildUpdateOp, didForGenesisOp, signOperation } from '../../../src/core/plc/index.ts'
import { encodeServiceJwt } from '../../../src/core/service-jwt.ts'
import { AuthRequiredError } from '../../../src/services/errors.ts'
import {
  createServiceJwt,
  type DidDocument,
  DidResolutionError,
  DidResolver,
  PlcClient,
  type VerifyServiceJwtOptions,
  verifyServiceJwt,
} from '../../../src/services/identity/index.ts'
import { createSafeFetch } from '../../../src/services/outbound/index.ts'
import { type FakePlc, startFakePlc } from '../../fakes/plc-server.ts'

const AUD = 'did:web:pds.example.test'
const ISS = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const LXM = 'com.atproto.repo.uploadBlob'
const NOW = 1_800_000_000_000
const now = () => NOW
const userKey = Secp256k1Keypair.create()
const labelKey = P256Keypair.create()

function docWith(did: string, key: Keypair, extra: DidDocument['verificationMethod'] = []): DidDocument {
  const method = (id: string, k: Keypair) => ({
    id: `${did}#${id}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: k.did().slice('did:key:'.length),
  })
  return { id: did, verificationMethod: [method('atproto', key), ...extra] }
}

/** A resolver answering from a map, recording forced refreshes. */
function fakeResolver(docs: Record<string, DidDocument | null>) {
  const forced: string[] = []
  const resolver: VerifyServiceJwtOptions['resolver'] = {
    resolve: async (did, opts) => {
      if (opts?.forceRefresh) forced.push(did)
      return docs[did] ?? null
    },
  }
  return { resolver, forced }
}

const { resolver } = fakeResolver({
  [ISS]: docWith(ISS, userKey, [
    { id: '#atproto_label', type: 'Multikey', controller: ISS, publicKeyMultibase: labelKey.did().slice(8) },
  ]),
})
const verify = (token: string, opts: Partial<VerifyServiceJwtOptions> = {}) =>
  verifyServiceJwt(token, { aud: AUD, lxm: LXM, resolver, now, ...opts })
const token = (
  claims: Record<string, unknown> = {},
  key: Keypair = userKey,
  header: Record<string, string> = {},
) =>
  encodeServiceJwt(
    { iss: ISS, aud: AUD, lxm: LXM, iat: NOW / 1000, exp: NOW / 1000 + 60, jti: 'abc', ...claims } as never,
    key,
    header,
  )

/** A token with a header of our choosing (encodeServiceJwt always writes typ JWT). */
function withHeader(header: Record<string, string>, key: Keypair = userKey): string {
  const part = (v: unknown) =>
    new TextEncoder().encode(JSON.stringify(v)).toBase64({ alphabet: 'base64url', omitPadding: true })
  const payload = { iss: ISS, aud: AUD, lxm: LXM, iat: NOW / 1000, exp: NOW / 1000 + 60, jti: 'abc' }
  const input = `${part({ ...header, alg: key.jwtAlg })}.${part(payload)}`
  return `${input}.${key.sign(new TextEncoder().encode(input)).toBase64({ alphabet: 'base64url', omitPadding: true })}`
}

async function authError(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AuthRequiredError)
  return (err as AuthRequiredError).error
}

describe('verifyServiceJwt', () => {
  test('accepts a valid token made by createServiceJwt', async () => {
    const jwt = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: userKey, now })
    expect(await verify(jwt)).toMatchObject({ iss: ISS, did: ISS, aud: AUD, lxm: LXM, exp: NOW / 1000 + 60 })
  })

  test('accepts any of several audiences, and no lxm when none is required', async () => {
    const jwt = token({ aud: `${AUD}#atproto_pds`, lxm: undefined })
    expect((await verify(jwt, { aud: [AUD, `${AUD}#atproto_pds`], lxm: null })).lxm).toBeUndefined()
  })

  const refusals: [string, () => string, string, Partial<VerifyServiceJwtOptions>?][] = [
    ['a malformed token', () => 'not.a.jwt', 'BadJwt'],
    ['an access token type', () => withHeader({ typ: 'at+jwt' }), 'BadJwtType'],
    ['a DPoP proof type', () => withHeader({ typ: 'dpop+jwt' }), 'BadJwtType'],
    ['an expired token', () => token({ exp: NOW / 1000 - 1 }), 'JwtExpired'],
    ['a lifetime over an hour', () => token({ exp: NOW / 1000 + 2 * 3600 }), 'BadJwt'],
    ['another audience', () => token({ aud: 'did:web:other.test' }), 'BadJwtAudience'],
    [
      'a bare DID when only the service id is accepted',
      () => token(),
      'BadJwtAudience',
      { aud: `${AUD}#atproto_pds` },
    ],
    ['another method', () => token({ lxm: 'com.atproto.repo.createRecord' }), 'BadJwtLexiconMethod'],
    ['a missing method', () => token({ lxm: undefined }), 'BadJwtLexiconMethod'],
    ['an iat in the future', () => token({ iat: NOW / 1000 + 600 }), 'BadJwt'],
    ['no jti', () => token({ jti: undefined }), 'BadJwt'],
    ['an iss that is not a DID', () => token({ iss: 'alice.test' }), 'BadJwtIss'],
    ['an iss with an empty fragment', () => token({ iss: `${ISS}#` }), 'BadJwtIss'],
    ['a kid other than #atproto', () => token({}, userKey, { kid: '#other' }), 'BadJwt'],
    ['a token signed by another key', () => token({}, Secp256k1Keypair.create()), 'BadJwtSignature'],
    ['the label key used for a user token', () => token({}, labelKey), 'BadJwtSignature'],
  ]
  for (const [name, make, errorName, opts] of refusals) {
    test(`refuses ${name} with ${errorName}`, async () => {
      expect(await authError(verify(make(), opts))).toBe(errorName)
    })
  }

  test('a labeler issuer signs with its #atproto_label key', async () => {
    const jwt = token({ iss: `${ISS}#atproto_labeler` }, labelKey)
    expect(await verify(jwt)).toMatchObject({ iss: `${ISS}#atproto_labeler`, did: ISS })
    expect(await authError(verify(token({ iss: `${ISS}#atproto_labeler` }, userKey)))).toBe('BadJwtSignature')
  })

  test('an explicit kid of #atproto is accepted, and so is a token without typ', async () => {
    expect((await verify(token({}, userKey, { kid: '#atproto' }))).did).toBe(ISS)
    expect((await verify(withHeader({}))).did).toBe(ISS)
  })

  test('an unresolvable issuer or one without a key is refused', async () => {
    const failing = { resolve: () => Promise.reject(new DidResolutionError('down')) }
    expect(await authError(verify(token(), { resolver: failing }))).toBe('AuthenticationRequired')
    expect(await authError(verify(token(), { resolver: fakeResolver({}).resolver }))).toBe(
      'AuthenticationRequired',
    )
    const keyless = fakeResolver({ [ISS]: { id: ISS } }).resolver
    expect(await authError(verify(token(), { resolver: keyless }))).toBe('AuthenticationRequired')
  })

  test('a bad signature triggers exactly one forced refresh', async () => {
    const { resolver: counting, forced } = fakeResolver({ [ISS]: docWith(ISS, userKey) })
    await authError(verify(token({}, Secp256k1Keypair.create()), { resolver: counting }))
    expect(forced).toEqual([ISS])
    await verify(token(), { resolver: counting })
    expect(forced).toEqual([ISS])
  })
})

describe('key rotation with a real resolver and the fake PLC', () => {
  let plc: FakePlc
  beforeAll(async () => {
    plc = await startFakePlc()
  })
  afterAll(() => plc.stop())

  test('a token signed with the new key passes after the cached document is refreshed', async () => {
    const safeFetch = createSafeFetch({
      allowPrivate: true,
      timeoutMs: 5000,
      maxBytes: 65536,
      userAgent: 'test',
    })
    const client = new PlcClient(plc.url, safeFetch)
    const rotation = Secp256k1Keypair.create()
    const oldKey = Secp256k1Keypair.create()
    const newKey = P256Keypair.create()
    const genesis = signOperation(
      buildGenesisOp({
        signingKey: oldKey.did(),
        rotationKeys: [rotation.did()],
        handle: 'r.test',
        pdsEndpoint: 'https://p.test',
      }),
      rotation,
    )
    const did = didForGenesisOp(genesis)
    await client.sendOperation(did, genesis)
    const didResolver = new DidResolver({ plcUrl: plc.url, fetch: safeFetch })
    const opts = { aud: AUD, lxm: LXM, resolver: didResolver }
    await verifyServiceJwt(createServiceJwt({ iss: did, aud: AUD, lxm: LXM, keypair: oldKey }), opts)

    await client.sendOperation(
      did,
      signOperation(buildUpdateOp(genesis, { signingKey: newKey.did() }), rotation),
    )
    expect((await didResolver.resolveAtprotoData(did)).signingKey).toBe(oldKey.did()) // still cached
    const verified = await verifyServiceJwt(
      createServiceJwt({ iss: did, aud: AUD, lxm: LXM, keypair: newKey }),
      opts,
    )
    expect(verified.did).toBe(did)
    expect((await didResolver.resolveAtprotoData(did)).signingKey).toBe(newKey.did())
    const stale = createServiceJwt({ iss: did, aud: AUD, lxm: LXM, keypair: oldKey })
    expect(await authError(verifyServiceJwt(stale, opts))).toBe('BadJwtSignature')
  })
})

describe('interop with @atproto/xrpc-server', () => {
  test('its verifyJwt accepts our token', async () => {
    const jwt = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: userKey })
    const payload = await refVerifyJwt(jwt, AUD, LXM, async () => userKey.did())
    expect(payload).toMatchObject({ iss: ISS, aud: AUD, lxm: LXM })
    expect(typeof payload.jti).toBe('string')
  })

  test('we accept its tokens for both key types', async () => {
    for (const refKey of [
      await atprotoCrypto.Secp256k1Keypair.create(),
      await atprotoCrypto.P256Keypair.create(),
    ]) {
      const doc = {
        id: ISS,
        verificationMethod: [
          { id: '#atproto', type: 'Multikey', controller: ISS, publicKeyMultibase: refKey.did().slice(8) },
        ],
      }
      const jwt = await refCreateServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: refKey })
      const verified = await verifyServiceJwt(jwt, {
        aud: AUD,
        lxm: LXM,
        resolver: fakeResolver({ [ISS]: doc }).resolver,
      })
      expect(verified.did).toBe(ISS)
    }
  })
})
