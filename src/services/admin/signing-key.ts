/**
 * com.atproto.admin.updateAccountSigningKey, as the reference: the `#atproto` verification method
 * of a did:plc account's document becomes the given did:key, by an update operation built on the
 * DID's last operation and signed with our rotation key (plc_rotation_private_key_hex), followed
 * by an `#identity` event. Only the published document changes: this server keeps signing the
 * account's commits with the key it holds, so the new key is for an account whose repository is
 * signed elsewhere (docs/ADMIN.md). did:web accounts publish their document from the account row
 * and are refused.
 */
import { parseDidKey } from '../../core/crypto/did-key.ts'
import { Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import {
  buildUpdateOp,
  normalizeOp,
  type PlcOperation,
  PlcOperationError,
  signOperation,
} from '../../core/plc/index.ts'
import { isDidPlc } from '../../core/syntax/did.ts'
import { InvalidRequestError } from '../errors.ts'
import { PlcError } from '../identity/index.ts'
import { existingDid } from './account-updates.ts'
import type { AdminDeps } from './deps.ts'

export async function updateAccountSigningKey(
  deps: AdminDeps,
  did: string,
  signingKey: string,
): Promise<void> {
  existingDid(deps, did)
  if (!isDidPlc(did)) {
    throw new InvalidRequestError(`Only did:plc accounts have a signing key in a PLC document: ${did}`)
  }
  assertDidKey(signingKey)
  const rotationKey = serverRotationKey(deps)
  const last = await deps.identity.plc.getLastOperation(did)
  if (last.type === 'plc_tombstone') throw new InvalidRequestError('DID is tombstoned')
  if (!normalizeOp(last).rotationKeys.includes(rotationKey.did())) {
    throw new InvalidRequestError("This server's rotation key is not one of the DID's rotation keys")
  }
  let op: PlcOperation
  try {
    op = signOperation(buildUpdateOp(last, { signingKey }), rotationKey)
  } catch (err) {
    if (err instanceof PlcOperationError) throw new InvalidRequestError(`Invalid operation: ${err.message}`)
    throw err
  }
  await submit(deps, did, op)
  const handle = deps.accounts.getAccount(did)?.handle
  deps.db.transaction(() => deps.events.sequenceIdentityInTx(did, handle))
  deps.identity.dids.invalidate(did)
  deps.logger.info('account signing key updated by the admin', { did, signingKey })
}

function assertDidKey(signingKey: string): void {
  try {
    parseDidKey(signingKey)
  } catch {
    throw new InvalidRequestError(`Not a did:key public key: ${signingKey}`)
  }
}

function serverRotationKey(deps: AdminDeps): Secp256k1Keypair {
  const hex = deps.config.plc_rotation_private_key_hex
  if (hex === undefined) {
    throw new InvalidRequestError('This server has no PLC rotation key (plc_rotation_private_key_hex)')
  }
  return Secp256k1Keypair.import(hex)
}

/** A directory refusal (4xx: bad signature, stale prev) is the request's fault; the rest is upstream. */
async function submit(deps: AdminDeps, did: string, op: PlcOperation): Promise<void> {
  try {
    await deps.identity.plc.sendOperation(did, op)
  } catch (err) {
    if (err instanceof PlcError && err.plcStatus !== undefined && err.plcStatus < 500) {
      throw new InvalidRequestError(err.message, 'InvalidRequest', { cause: err })
    }
    throw err
  }
}
