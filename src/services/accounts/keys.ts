/** The account's repo signing key (K-256, stored raw in the account row). */
import { Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import type { AccountTables } from '../../storage/accounts/index.ts'

export class MissingSigningKeyError extends Error {
  override name = 'MissingSigningKeyError'
}

export function accountKeypair(tables: AccountTables, did: string): Secp256k1Keypair {
  const key = tables.accounts.signingKey(did)
  if (key === undefined) throw new MissingSigningKeyError(`no signing key for ${did}`)
  return Secp256k1Keypair.import(key)
}
