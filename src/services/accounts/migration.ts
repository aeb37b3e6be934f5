/**
 * The calls a migration makes on the new PDS (guides/account-migration): reserveSigningKey before
 * the DID document names the new key, checkAccountStatus to compare what arrived with what was
 * expected. `validDid` says whether the DID document already points here: our PDS endpoint and
 * the account's signing key.
 */
import { Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import { InvalidRequestError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { isLocalDidWeb } from './session-view.ts'

/** Reservations older than this are dropped (a migration finishes within days). */
export const RESERVED_KEY_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000

export interface AccountStatusReport {
  activated: boolean
  validDid: boolean
  repoCommit: string
  repoRev: string
  repoBlocks: number
  indexedRecords: number
  privateStateValues: number
  expectedBlobs: number
  importedBlobs: number
}

/** The did:key of the key reserved for `did` (or, without a DID, for the key itself). */
export function reserveSigningKey(deps: AccountDeps, did: string | undefined): string {
  const now = deps.now()
  const keypair = Secp256k1Keypair.create()
  const reservedFor = did ?? keypair.did()
  return deps.db.transaction(() => {
    deps.tables.reservedKeys.deleteOlderThan(new Date(now - RESERVED_KEY_LIFETIME_MS).toISOString())
    if (
      deps.tables.reservedKeys.insert(reservedFor, keypair.exportPrivateKey(), new Date(now).toISOString())
    ) {
      return keypair.did()
    }
    return Secp256k1Keypair.import(deps.tables.reservedKeys.get(reservedFor)!).did()
  })
}

export async function checkAccountStatus(deps: AccountDeps, did: string): Promise<AccountStatusReport> {
  const account = deps.tables.accounts.byDid(did)
  if (account === undefined) throw new InvalidRequestError('Account not found', 'AccountNotFound')
  const stats = deps.repo().accountRepoStats(did)
  return {
    activated: account.deactivatedAt === null,
    validDid: await pointsHere(deps, did),
    repoCommit: stats.commit,
    repoRev: stats.rev,
    repoBlocks: stats.blocks,
    indexedRecords: stats.records,
    privateStateValues: 0,
    expectedBlobs: stats.expectedBlobs,
    importedBlobs: stats.importedBlobs,
  }
}

/** Whether the DID document names this PDS and the account's signing key. */
async function pointsHere(deps: AccountDeps, did: string): Promise<boolean> {
  if (isLocalDidWeb(deps, did)) return true
  try {
    const data = await deps.identity.resolveAtprotoData(did)
    return data?.pds === deps.config.base_url && data.signingKey === deps.keys.of(did).did()
  } catch (err) {
    deps.logger.warn('could not resolve a DID document', { did, err })
    return false
  }
}
