/**
 * Changing an account's handle (com.atproto.identity.updateHandle; the admin updateAccountHandle
 * reuses it). The handle is checked as at sign-up (accounts/handles.ts): under
 * service_handle_domain it must follow the name rules; any other domain must already resolve to
 * the DID (DNS TXT or well-known), fetched fresh. It must not be held by another account, nor be
 * this server's own hostname.
 * Then the DID document is made to claim it, before anything is written:
 * - did:plc: an update operation built on the DID's last operation and signed with our rotation
 *   key is submitted to the directory (skipped when the document already claims the handle);
 * - our own did:web accounts: the document is served from the account row, nothing to publish;
 * - another did:web: its document must already claim the handle.
 * Then one transaction writes the handle and the #identity event, and the cached DID document
 * and handle lookups are dropped. If that transaction fails after the directory accepted the
 * operation (another account took the handle meanwhile), the old handle is put back in the
 * directory, best effort.
 */
import type { Keypair } from '../../core/crypto/keypair.ts'
import { buildUpdateOp, normalizeOp, type PlcOperation, signOperation } from '../../core/plc/index.ts'
import { isDidPlc } from '../../core/syntax/did.ts'
import { UniqueViolationError } from '../../storage/accounts/index.ts'
import { accountIdOf } from '../accounts/did-web.ts'
import {
  assertNotServerHostname,
  assertServiceHandleRules,
  isServiceHandle,
  normalizeNewHandle,
} from '../accounts/handles.ts'
import { InvalidRequestError } from '../errors.ts'
import type { IdentityDeps } from './deps.ts'
import { existingAccount, signableLastOp } from './plc-operations.ts'

/** A submitted PLC operation and what it replaced, so that it can be undone. */
interface Published {
  op: PlcOperation
  key: Keypair
  previousAlsoKnownAs: string[]
}

/** Sets the account's handle; returns it normalized ("alice" becomes alice.<domain>). */
export async function updateHandle(deps: IdentityDeps, did: string, input: string): Promise<string> {
  const account = existingAccount(deps, did)
  const handle = await checkNewHandle(deps, did, input)
  const published = await publishHandle(deps, did, handle)
  try {
    deps.db.transaction(() => {
      setHandle(deps, did, handle)
      deps.events().sequenceIdentityInTx(did, handle)
    })
  } catch (err) {
    if (published !== undefined) await unpublish(deps, did, published)
    throw err
  }
  deps.net.dids.invalidate(did)
  deps.net.handles.invalidate(account.handle)
  deps.net.handles.invalidate(handle)
  deps.logger.info('handle updated', { did, handle })
  return handle
}

async function checkNewHandle(deps: IdentityDeps, did: string, input: string): Promise<string> {
  const { service_handle_domain: domain, hostname } = deps.config
  const handle = normalizeNewHandle(input, domain)
  assertNotServerHostname(handle, hostname)
  const service = isServiceHandle(handle, domain)
  if (service) assertServiceHandleRules(handle, domain)
  const holder = deps.accounts().tables.accounts.byHandle(handle)
  if (holder !== undefined && holder.did !== did) {
    throw new InvalidRequestError(`Handle already taken: ${handle}`)
  }
  if (!service && (await deps.net.handles.resolve(handle, { forceRefresh: true })) !== did) {
    throw new InvalidRequestError('External handle did not resolve to DID')
  }
  return handle
}

/** Makes the DID document claim `handle`; returns the PLC operation submitted for it, if any. */
async function publishHandle(
  deps: IdentityDeps,
  did: string,
  handle: string,
): Promise<Published | undefined> {
  if (isDidPlc(did)) return publishPlc(deps, did, handle)
  if (accountIdOf(deps.config, did) !== undefined) return undefined
  const data = await deps.net.dids.resolveAtprotoData(did, { forceRefresh: true })
  if (data.handle !== handle) throw new InvalidRequestError('DID is not properly configured for handle')
  return undefined
}

async function publishPlc(deps: IdentityDeps, did: string, handle: string): Promise<Published | undefined> {
  const { last, key } = await signableLastOp(deps, did)
  const previousAlsoKnownAs = normalizeOp(last).alsoKnownAs
  if (previousAlsoKnownAs.find((aka) => aka.startsWith('at://')) === `at://${handle}`) return undefined
  const op = signOperation(buildUpdateOp(last, { handle }), key)
  await deps.net.plc.sendOperation(did, op)
  return { op, key, previousAlsoKnownAs }
}

function setHandle(deps: IdentityDeps, did: string, handle: string): void {
  try {
    deps.accounts().tables.accounts.setHandle(did, handle)
  } catch (err) {
    if (err instanceof UniqueViolationError) throw new InvalidRequestError(`Handle already taken: ${handle}`)
    throw err
  }
}

async function unpublish(deps: IdentityDeps, did: string, published: Published): Promise<void> {
  try {
    const undo = buildUpdateOp(published.op, { alsoKnownAs: published.previousAlsoKnownAs })
    await deps.net.plc.sendOperation(did, signOperation(undo, published.key))
  } catch (err) {
    deps.logger.error('could not restore the handle in the PLC directory after a failed update', { did, err })
  }
}
