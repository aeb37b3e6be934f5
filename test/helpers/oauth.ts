// Test doubles for the OAuth service tests: DPoP keys and proofs, client assertions, an in-memory
// database with accounts, a fake network for client metadata, and the service over all of it.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { loadConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { accessTokenHash } from '../../src/core/oauth/dpop-claims.ts'
import { OAuthError } from '../../src/core/oauth/errors.ts'
import { s256Challenge } from '../../src/core/oauth/pkce.ts'
import { silentLogger } from '../../src/lib/logger.ts'
import { AccountService } from '../../src/services/accounts/account-service.ts'
import type { IdentityPort } from '../../src/services/accounts/deps.ts'
import { hashPassword } from '../../src/services/auth/password.ts'
import type { DidResolver } from '../../src/services/identity/did-resolver.ts'
import { OAuthService } from '../../src/services/oauth/oauth-service.ts'
import type { SafeFetch } from '../../src/services/outbound/safe-fetch.ts'
import { Db } from '../../src/storage/database.ts'
import { migrate } from '../../src/storage/migrate.ts'

export const ISSUER = 'https://pds.test'

export interface TestKey {
  privateKey: CryptoKey
  jwk: JWK
  jkt: string
}

export async function newKey(kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), ...(kid ? { kid, alg: 'ES256', use: 'sig' } : {}) }
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) }
}

export interface ProofClaims {
  htm?: string
  htu: string
  nonce?: string
  accessToken?: string
  iat?: number
  jti?: string
}

export function dpopProof(key: TestKey, claims: ProofClaims): Promise<string> {
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = key.jwk
  return new SignJWT({
    jti: claims.jti ?? randomUUID(),
    htm: claims.htm ?? 'POST',
    htu: claims.htu,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
    ...(claims.nonce ? { nonce: claims.nonce } : {}),
    ...(claims.accessToken ? { ath: accessTokenHash(claims.accessToken) } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .sign(key.privateKey)
}

/** A jwt-bearer client assertion for `clientId`, signed with `key` (which must carry a kid). */
export function clientAssertion(
  key: TestKey,
  clientId: string,
  audience = ISSUER,
  jti = randomUUID(),
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.jwk.kid! })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(jti)
    .setIssuedAt()
    .sign(key.privateKey)
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = `${randomUUID()}${randomUUID()}`.replaceAll('-', '')
  return { verifier, challenge: s256Challenge(verifier) }
}

/** Responds to GETs of known URLs with JSON, like the SSRF-guarded fetch would. */
export function fakeNetwork(documents: Map<string, unknown>): SafeFetch {
  return async (url) => {
    const doc = documents.get(String(url))
    if (doc === undefined) return new Response('not found', { status: 404 })
    return Response.json(doc)
  }
}

export interface OAuthTestEnv {
  oauth: OAuthService
  db: Db
  config: Config
  documents: Map<string, unknown>
  clock: { now: number }
  close(): void
}

export const PASSWORD = 'correct horse battery staple'

/**
 * An OAuthService over an in-memory database holding alice (and bob), with a settable clock; its
 * data directory is a new temp dir named after `name`, removed by `close`.
 */
export async function oauthTestEnv(name: string): Promise<OAuthTestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), `perlsky-${name}-`))
  const config = loadConfig(
    {
      base_url: ISSUER,
      service_handle_domain: 'pds.test',
      account_did_method: 'did:web',
      jwt_secret: 'oauth-unit-test-jwt-secret',
      data_dir: dataDir,
      db_path: ':memory:',
    },
    dataDir,
  )
  const db = Db.open(':memory:')
  migrate(db)
  const unused = (): never => {
    throw new Error('the OAuth service tests have no repository')
  }
  const accounts = new AccountService({
    db,
    config,
    logger: silentLogger(),
    identity: {} as IdentityPort,
    repo: unused,
    events: unused,
  })
  const passwordHash = await hashPassword(PASSWORD)
  for (const name of ['alice', 'bob']) {
    accounts.tables.accounts.insert({
      did: `did:plc:${name}${'x'.repeat(24 - name.length)}`,
      handle: `${name}.pds.test`,
      email: `${name}@example.com`,
      emailConfirmedAt: null,
      passwordHash,
      signingKey: new Uint8Array(32),
      createdAt: new Date().toISOString(),
      deactivatedAt: null,
    })
  }
  const documents = new Map<string, unknown>()
  const clock = { now: Date.now() }
  const oauth = new OAuthService({
    config,
    db,
    accounts,
    fetch: fakeNetwork(documents),
    dids: {} as DidResolver,
    resolveTxt: async () => [],
    now: () => clock.now,
  })
  const close = () => {
    db.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return { oauth, db, config, documents, clock, close }
}

/** The OAuthError a call must fail with. */
export async function refusal(run: () => Promise<unknown>): Promise<OAuthError> {
  try {
    await run()
  } catch (err) {
    if (err instanceof OAuthError) return err
    throw err
  }
  throw new Error('expected an OAuthError')
}
