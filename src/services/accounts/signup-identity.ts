/**
 * The identity a new account gets, before anything is written:
 * - did:plc: a fresh K-256 signing key and a genesis operation (rotation keys: the user's
 *   recoveryKey, then plc_recovery_did_key, then the server's plc_rotation_private_key_hex key;
 *   the handle; our PDS) signed with the server's rotation key; the DID is derived from it.
 * - did:web: `did:web:<hostname>:users:<random id>`, whose document this server serves.
 * - migration (the input names an existing DID): the key reserved for that DID by
 *   reserveSigningKey, or a fresh one; the account starts deactivated.
 */
import { parseDidKey } from '../../core/crypto/did-key.ts'
import { Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import { docFromOp } from '../../core/plc/document.ts'
import { buildGenesisOp, didForGenesisOp, signOperation } from '../../core/plc/operations.ts'
import type { PlcOperation } from '../../core/plc/types.ts'
import { InternalServerError, InvalidRequestError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { accountDidDocument, accountDidWeb, type DidDocument, newAccountId } from './did-web.ts'
import type { CheckedSignup } from './signup-checks.ts'

export interface SignupIdentity {
  did: string
  keypair: Secp256k1Keypair
  /** Migrations start deactivated and are not announced until activateAccount. */
  deactivated: boolean
  /** The genesis operation to post to the PLC directory before the account is written. */
  plcOp?: PlcOperation
  /** Known up front for identities we create; resolved later for migrations. */
  didDoc?: DidDocument
  /** The reservation to clear once the account exists. */
  reservedFor?: string
}

export function planIdentity(deps: AccountDeps, signup: CheckedSignup): SignupIdentity {
  if (signup.did !== undefined) return migratedIdentity(deps, signup.did)
  const keypair = Secp256k1Keypair.create()
  if (deps.config.account_did_method === 'did:web') {
    const did = accountDidWeb(deps.config, newAccountId())
    const didDoc = accountDidDocument(did, signup.handle, keypair.did(), deps.config.base_url)
    return { did, keypair, deactivated: false, didDoc }
  }
  return plcIdentity(deps, signup, keypair)
}

function migratedIdentity(deps: AccountDeps, did: string): SignupIdentity {
  const reserved = deps.tables.reservedKeys.get(did)
  if (reserved === undefined) return { did, keypair: Secp256k1Keypair.create(), deactivated: true }
  return { did, keypair: Secp256k1Keypair.import(reserved), deactivated: true, reservedFor: did }
}

function plcIdentity(deps: AccountDeps, signup: CheckedSignup, keypair: Secp256k1Keypair): SignupIdentity {
  const rotationKey = deps.plcRotationKey
  if (rotationKey === undefined) {
    throw new InternalServerError('account_did_method is did:plc but no plc_rotation_private_key_hex is set')
  }
  const rotationKeys = [rotationKey.did()]
  if (deps.config.plc_recovery_did_key !== undefined) rotationKeys.unshift(deps.config.plc_recovery_did_key)
  if (signup.recoveryKey !== undefined) rotationKeys.unshift(checkedDidKey(signup.recoveryKey))
  const unsigned = buildGenesisOp({
    signingKey: keypair.did(),
    rotationKeys,
    handle: signup.handle,
    pdsEndpoint: deps.config.base_url,
  })
  const plcOp = signOperation(unsigned, rotationKey)
  const did = didForGenesisOp(plcOp)
  return { did, keypair, deactivated: false, plcOp, didDoc: docFromOp(did, plcOp) }
}

function checkedDidKey(key: string): string {
  try {
    parseDidKey(key)
    return key
  } catch {
    throw new InvalidRequestError('recoveryKey must be a did:key')
  }
}
