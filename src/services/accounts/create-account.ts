/**
 * com.atproto.server.createAccount: checks (signup-checks.ts), identity (signup-identity.ts),
 * then one transaction that spends the invite, writes the account, announces it (#identity and
 * #account, as the reference orders them) and creates the repo with its first signed commit.
 * A did:plc genesis operation is posted to the directory before that transaction: when the
 * directory fails, the answer is 502 UpstreamFailure and nothing was written. When the
 * transaction fails (a sign-up racing for the same handle), nothing is written either.
 */
import { type NewAccount, UniqueViolationError } from '../../storage/accounts/index.ts'
import { hashPassword } from '../auth/password.ts'
import type { PreparedSession } from '../auth/sessions.ts'
import { InvalidRequestError, UpstreamFailureError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { type CheckedSignup, type CreateAccountInput, checkSignup } from './signup-checks.ts'
import { planIdentity, type SignupIdentity } from './signup-identity.ts'

export type { CreateAccountInput }

export interface CreateAccountResult {
  did: string
  handle: string
  didDoc?: object
  accessJwt: string
  refreshJwt: string
}

export async function createAccount(
  deps: AccountDeps,
  input: CreateAccountInput,
  requester: string | null,
): Promise<CreateAccountResult> {
  const signup = await checkSignup(deps, input, requester)
  const identity = planIdentity(deps, signup)
  const passwordHash = await hashPassword(signup.password)
  const session = await deps.sessions.prepare(identity.did, 'access', null)
  if (identity.plcOp !== undefined) await submitGenesis(deps, identity)
  deps.db.transaction(() => writeAccount(deps, signup, identity, passwordHash, session))
  deps.logger.info('account created', { did: identity.did, handle: signup.handle })
  const didDoc = identity.didDoc ?? (await resolveDoc(deps, identity.did))
  return {
    did: identity.did,
    handle: signup.handle,
    ...(didDoc === undefined ? {} : { didDoc }),
    accessJwt: session.accessJwt,
    refreshJwt: session.refreshJwt,
  }
}

function writeAccount(
  deps: AccountDeps,
  signup: CheckedSignup,
  identity: SignupIdentity,
  passwordHash: string,
  session: PreparedSession,
): void {
  const now = new Date(deps.now()).toISOString()
  if (signup.inviteCode !== undefined) deps.invites.spendInTx(signup.inviteCode, identity.did)
  insertAccount(deps, {
    did: identity.did,
    handle: signup.handle,
    email: signup.email,
    emailConfirmedAt: signup.email !== null && deps.config.testing_auto_confirm_email ? now : null,
    passwordHash,
    signingKey: identity.keypair.exportPrivateKey(),
    createdAt: now,
    deactivatedAt: identity.deactivated ? now : null,
  })
  if (!identity.deactivated) {
    deps.events().sequenceIdentityInTx(identity.did, signup.handle)
    deps.events().sequenceAccountInTx(identity.did, true)
  }
  deps.repo().createRepoInTx(identity.did, identity.keypair, { sequence: !identity.deactivated })
  if (identity.reservedFor !== undefined) deps.tables.reservedKeys.delete(identity.reservedFor)
  session.persist()
}

function insertAccount(deps: AccountDeps, row: NewAccount): void {
  try {
    deps.tables.accounts.insert(row)
  } catch (err) {
    if (!(err instanceof UniqueViolationError)) throw err
    if (err.column === 'account.handle') {
      throw new InvalidRequestError(`Handle already taken: ${row.handle}`, 'HandleNotAvailable')
    }
    if (err.column === 'account.email') throw new InvalidRequestError(`Email already taken: ${row.email}`)
    throw new InvalidRequestError(`Account already exists: ${row.did}`)
  }
}

async function submitGenesis(deps: AccountDeps, identity: SignupIdentity): Promise<void> {
  try {
    await deps.identity.submitPlcOperation(identity.did, identity.plcOp!)
  } catch (err) {
    deps.logger.error('the PLC directory refused the genesis operation', { did: identity.did, err })
    throw new UpstreamFailureError('Could not register the DID with the PLC directory', 'UpstreamFailure', {
      cause: err,
    })
  }
}

async function resolveDoc(deps: AccountDeps, did: string): Promise<object | undefined> {
  try {
    return await deps.identity.resolveDidDocument(did)
  } catch (err) {
    deps.logger.warn('could not resolve the DID document of a migrating account', { did, err })
    return undefined
  }
}
