/**
 * The authorization server's ES256 signing keys: created on first start, kept in the database,
 * published at /oauth/jwks, rotated by `perlsky admin oauth rotate-key`.
 * A rotated key is retired, not deleted: it stays published (and accepted) until every access
 * token it signed has expired. Rotation may happen in another process (the admin command), so
 * the key list is re-read from the database at most once a minute, and at once when a token
 * names a key id we do not know yet.
 */
import { randomBytes } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { OAuthTables, SigningKeyRow } from '../../storage/oauth/index.ts'

export const SIGNING_ALG = 'ES256'
const RELOAD_INTERVAL_MS = 60_000

interface LoadedKey {
  kid: string
  publicJwk: JWK
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** Milliseconds; undefined while the key is in use. */
  retiredAt: number | undefined
}

export class SigningKeys {
  private keys: LoadedKey[] = []
  private loadedAt = Number.NEGATIVE_INFINITY
  private ready: Promise<void> | undefined

  constructor(
    private readonly tables: OAuthTables,
    /** How long a retired key stays published: the longest access-token lifetime. */
    private readonly publishRetiredMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the keys, creating the first one when there is none in use (once per instance). */
  init(): Promise<void> {
    this.ready ??= this.load().catch((err) => {
      this.ready = undefined
      throw err
    })
    return this.ready
  }

  /** Retires the keys in use and starts signing with a new one; returns its key id. */
  async rotate(): Promise<string> {
    const { kid, row } = await newKeyRow(this.now())
    this.tables.db.transaction(() => {
      this.tables.signingKeys.retireActive(row.createdAt)
      this.tables.signingKeys.insert(row)
    })
    await this.reload()
    return kid
  }

  /** The key new tokens are signed with. */
  async active(): Promise<{ kid: string; key: CryptoKey }> {
    await this.reloadIfStale()
    const key = this.keys.find((k) => k.retiredAt === undefined) ?? this.keys[0]
    if (key === undefined) throw new Error('oauth: no signing key')
    return { kid: key.kid, key: key.privateKey }
  }

  /** The public key with this id, while it is published. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    await this.reloadIfStale()
    let key = this.published().find((k) => k.kid === kid)
    // Another process may have rotated the key; look again, but not on every unknown kid.
    if (key === undefined && this.now() - this.loadedAt > 1000) {
      await this.reload()
      key = this.published().find((k) => k.kid === kid)
    }
    return key?.publicKey
  }

  /** The JWK Set for /oauth/jwks. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.reloadIfStale()
    return { keys: this.published().map((k) => k.publicJwk) }
  }

  private published(): LoadedKey[] {
    const cutoff = this.now() - this.publishRetiredMs
    return this.keys.filter((k) => k.retiredAt === undefined || k.retiredAt > cutoff)
  }

  private async reloadIfStale(): Promise<void> {
    await this.init()
    if (this.now() - this.loadedAt >= RELOAD_INTERVAL_MS) await this.reload()
  }

  private async load(): Promise<void> {
    await this.reload()
    if (this.keys.some((k) => k.retiredAt === undefined)) return
    await this.insertNewKey()
    await this.reload()
  }

  private async reload(): Promise<void> {
    const cutoff = new Date(this.now() - this.publishRetiredMs).toISOString()
    this.tables.signingKeys.deleteRetiredBefore(cutoff)
    this.keys = await Promise.all(this.tables.signingKeys.all().map(loadKey))
    this.loadedAt = this.now()
  }

  private async insertNewKey(): Promise<void> {
    const { row } = await newKeyRow(this.now())
    this.tables.signingKeys.insert(row)
  }
}

async function newKeyRow(nowMs: number): Promise<{ kid: string; row: SigningKeyRow }> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true })
  const jwk = await exportJWK(privateKey)
  // The thumbprint identifies the key; a random suffix keeps ids unique should a key come back.
  const kid = `${(await calculateJwkThumbprint(jwk)).slice(0, 16)}${randomBytes(4).toString('hex')}`
  const row = {
    kid,
    privateJwk: JSON.stringify(jwk),
    createdAt: new Date(nowMs).toISOString(),
    retiredAt: null,
  }
  return { kid, row }
}

async function loadKey(row: SigningKeyRow): Promise<LoadedKey> {
  const jwk = JSON.parse(row.privateJwk) as JWK
  const { kty, crv, x, y } = jwk
  const publicJwk: JWK = { kty, crv, x, y, kid: row.kid, alg: SIGNING_ALG, use: 'sig' }
  return {
    kid: row.kid,
    publicJwk,
    privateKey: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey,
    retiredAt: row.retiredAt === null ? undefined : Date.parse(row.retiredAt),
  }
}
