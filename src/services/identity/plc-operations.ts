/**
 * PLC operations on behalf of an account (com.atproto.identity.getRecommendedDidCredentials,
 * signPlcOperation, submitPlcOperation; guides/account-migration), as the reference PDS does them:
 * - getRecommendedDidCredentials: what a DID document must say for this server to host the
 *   account (rotation keys only for did:plc).
 * - signPlcOperation: an email code is required; the operation builds on the DID's last operation
 *   as the directory has it, changes only the fields given, and is signed with our rotation key,
 *   which must be one of the DID's rotation keys. The code is spent only once the operation is
 *   known to be well-formed, so a typo in the input does not cost the user a new email.
 * - submitPlcOperation: the operation must keep this server in charge (our rotation key, our PDS
 *   endpoint, the account's signing key, its handle first) before it goes to the directory; a
 *   directory refusal (bad signature, stale prev) is the client's 400, then an #identity event.
 */
import { z } from 'zod'
import type { Keypair } from '../../core/crypto/keypair.ts'
import {
  ATPROTO_KEY_ID,
  ATPROTO_PDS_SERVICE,
  ATPROTO_PDS_TYPE,
  buildUpdateOp,
  checkOperationFields,
  normalizeOp,
  type PlcDataOperation,
  type PlcOperation,
  type PlcOperationChanges,
  PlcOperationError,
  type PlcService,
  parsePlcOperation,
  signOperation,
} from '../../core/plc/index.ts'
import { isDidPlc } from '../../core/syntax/did.ts'
import type { AccountRow } from '../../storage/accounts/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { IdentityDeps } from './deps.ts'
import { PlcError } from './errors.ts'

export interface RecommendedDidCredentials {
  rotationKeys?: string[]
  alsoKnownAs: string[]
  verificationMethods: Record<string, string>
  services: Record<string, PlcService>
}

/** The body of com.atproto.identity.signPlcOperation (the lexicon leaves two fields unknown). */
export interface SignPlcOperationInput {
  token?: string
  rotationKeys?: string[]
  alsoKnownAs?: string[]
  verificationMethods?: unknown
  services?: unknown
}

const verificationMethodsSchema = z.record(z.string(), z.string())
const servicesSchema = z.record(z.string(), z.object({ type: z.string(), endpoint: z.string() }))

export function recommendedDidCredentials(deps: IdentityDeps, did: string): RecommendedDidCredentials {
  const account = existingAccount(deps, did)
  const credentials: RecommendedDidCredentials = {
    alsoKnownAs: [`at://${account.handle}`],
    verificationMethods: { [ATPROTO_KEY_ID]: deps.accounts().signingKey(did).did() },
    services: { [ATPROTO_PDS_SERVICE]: { type: ATPROTO_PDS_TYPE, endpoint: deps.config.base_url } },
  }
  const rotationKeys = serverRotationKeys(deps)
  return isDidPlc(did) && rotationKeys.length > 0 ? { rotationKeys, ...credentials } : credentials
}

export async function signPlcOperation(
  deps: IdentityDeps,
  did: string,
  input: SignPlcOperationInput,
): Promise<PlcOperation> {
  if (!input.token) {
    throw new InvalidRequestError('email confirmation token required to sign PLC operations')
  }
  const changes = parseChanges(input)
  const { last, key } = await signableLastOp(deps, did)
  const unsigned = asInvalidRequest(() => buildUpdateOp(last, changes))
  deps.accounts().spendPlcOperationToken(did, input.token)
  return signOperation(unsigned, key)
}

export async function submitPlcOperation(deps: IdentityDeps, did: string, operation: unknown): Promise<void> {
  const op = parseSubmitted(operation)
  const account = existingAccount(deps, did)
  assertKeepsThisServer(deps, account, op)
  try {
    await deps.net.plc.sendOperation(did, op)
  } catch (err) {
    // A 4xx is the directory judging the operation (signature, prev); anything else is upstream.
    if (err instanceof PlcError && err.plcStatus !== undefined && err.plcStatus < 500) {
      throw new InvalidRequestError(err.message, 'InvalidRequest', { cause: err })
    }
    throw err
  }
  deps.db.transaction(() => deps.events().sequenceIdentityInTx(did, account.handle))
  deps.net.dids.invalidate(did)
}

/**
 * The DID's last operation, when this server may build on it: a did:plc that is not tombstoned
 * and lists our rotation key (the directory would refuse our signature otherwise).
 */
export async function signableLastOp(
  deps: IdentityDeps,
  did: string,
): Promise<{ last: PlcDataOperation; key: Keypair }> {
  if (!isDidPlc(did)) throw new InvalidRequestError(`Only did:plc identities have PLC operations: ${did}`)
  const key = deps.rotationKey
  if (key === undefined) {
    throw new InvalidRequestError('This server has no PLC rotation key (plc_rotation_private_key_hex)')
  }
  const last = await deps.net.plc.getLastOperation(did)
  if (last.type === 'plc_tombstone') throw new InvalidRequestError('DID is tombstoned')
  if (!normalizeOp(last).rotationKeys.includes(key.did())) {
    throw new InvalidRequestError("This server's rotation key is not one of the DID's rotation keys")
  }
  return { last, key }
}

/** Our rotation keys as a new document should list them: the recovery key first, as at sign-up. */
function serverRotationKeys(deps: IdentityDeps): string[] {
  const keys = deps.rotationKey === undefined ? [] : [deps.rotationKey.did()]
  const recovery = deps.config.plc_recovery_did_key
  if (recovery !== undefined) keys.unshift(recovery)
  return keys
}

function parseChanges(input: SignPlcOperationInput): PlcOperationChanges {
  const changes: PlcOperationChanges = {}
  if (input.rotationKeys !== undefined) changes.rotationKeys = input.rotationKeys
  if (input.alsoKnownAs !== undefined) changes.alsoKnownAs = input.alsoKnownAs
  if (input.verificationMethods !== undefined) {
    const parsed = verificationMethodsSchema.safeParse(input.verificationMethods)
    if (!parsed.success) throw new InvalidRequestError('verificationMethods must map key ids to did:keys')
    changes.verificationMethods = parsed.data
  }
  if (input.services !== undefined) {
    const parsed = servicesSchema.safeParse(input.services)
    if (!parsed.success) throw new InvalidRequestError('services must map ids to {type, endpoint}')
    changes.services = parsed.data
  }
  return changes
}

/** A signed `plc_operation` (not a tombstone, not the legacy format) with usable keys. */
function parseSubmitted(operation: unknown): PlcOperation {
  const op = asInvalidRequest(() => parsePlcOperation(operation))
  if (op.type !== 'plc_operation') throw new InvalidRequestError('Invalid operation')
  asInvalidRequest(() => checkOperationFields(op))
  return op
}

function assertKeepsThisServer(deps: IdentityDeps, account: AccountRow, op: PlcOperation): void {
  const rotationKey = deps.rotationKey?.did()
  if (rotationKey === undefined || !op.rotationKeys.includes(rotationKey)) {
    throw new InvalidRequestError("Rotation keys do not include server's rotation key")
  }
  const pds = op.services[ATPROTO_PDS_SERVICE]
  if (pds?.type !== ATPROTO_PDS_TYPE) throw new InvalidRequestError('Incorrect type on atproto_pds service')
  if (pds.endpoint.replace(/\/+$/, '') !== deps.config.base_url) {
    throw new InvalidRequestError('Incorrect endpoint on atproto_pds service')
  }
  if (op.verificationMethods[ATPROTO_KEY_ID] !== deps.accounts().signingKey(account.did).did()) {
    throw new InvalidRequestError('Incorrect signing key')
  }
  if (op.alsoKnownAs[0] !== `at://${account.handle}`) {
    throw new InvalidRequestError('Incorrect handle in alsoKnownAs')
  }
}

export function existingAccount(deps: IdentityDeps, did: string): AccountRow {
  const account = deps.accounts().tables.accounts.byDid(did)
  if (account === undefined) throw new InvalidRequestError('Account not found', 'AccountNotFound')
  return account
}

function asInvalidRequest<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof PlcOperationError) {
      throw new InvalidRequestError(`Invalid operation: ${err.message}`, 'InvalidRequest', { cause: err })
    }
    throw err
  }
}
