/**
 * The accounts' repo signing keys (K-256, stored raw in the account row). Keypairs are kept for
 * the most recently used accounts: building one checks the key, and its public key (for DID
 * documents) costs a scalar multiplication. The stored bytes are read every time, so a rotated
 * key is used at once.
 */
import { type NonceSource, Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import type { AccountTables } from '../../storage/accounts/index.ts'

export class MissingSigningKeyError extends Error {
  override name = 'MissingSigningKeyError'
}

const MAX_CACHED = 1000

export class AccountKeys {
  readonly #cache = new Map<string, { raw: Uint8Array; keypair: Secp256k1Keypair }>()

  constructor(
    private readonly tables: AccountTables,
    private readonly nonces?: NonceSource,
  ) {}

  /** The account's keypair; throws MissingSigningKeyError when there is no account. */
  of(did: string): Secp256k1Keypair {
    const raw = this.tables.accounts.signingKey(did)
    if (raw === undefined) throw new MissingSigningKeyError(`no signing key for ${did}`)
    const cached = this.#cache.get(did)
    this.#cache.delete(did)
    const keypair =
      cached !== undefined && Buffer.from(cached.raw).equals(raw)
        ? cached.keypair
        : Secp256k1Keypair.import(raw, this.nonces)
    this.#cache.set(did, { raw, keypair })
    if (this.#cache.size > MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!)
    return keypair
  }
}
