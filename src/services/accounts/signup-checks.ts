/**
 * The checks createAccount makes before anything is created, in the reference's order: input
 * shape, password, invite presence, email, handle, invite availability, then whether the handle,
 * email and DID are still free. The sign-up transaction re-checks the last two through the UNIQUE
 * indexes (see create-account.ts), so a race between two sign-ups cannot slip through.
 */
import { AuthRequiredError, InvalidRequestError } from '../errors.ts'
import type { AccountDeps } from './deps.ts'
import { parseEmail } from './email-address.ts'
import {
  assertNotServerHostname,
  assertServiceHandleRules,
  isServiceHandle,
  normalizeNewHandle,
} from './handles.ts'
import { assertNewPassword } from './passwords.ts'

export interface CreateAccountInput {
  handle: string
  email?: string | undefined
  password?: string | undefined
  inviteCode?: string | undefined
  /** An existing DID moving here (migration); needs service auth from that DID. */
  did?: string | undefined
  /** A did:key to put first among the PLC rotation keys. */
  recoveryKey?: string | undefined
  plcOp?: unknown
}

export interface CheckedSignup {
  handle: string
  email: string | null
  password: string
  inviteCode: string | undefined
  did: string | undefined
  recoveryKey: string | undefined
}

/** Validates the input; `requester` is the DID of a verified service-auth token, if any. */
export async function checkSignup(
  deps: AccountDeps,
  input: CreateAccountInput,
  requester: string | null,
): Promise<CheckedSignup> {
  const { config } = deps
  if (input.plcOp !== undefined) throw new InvalidRequestError('Unsupported input: "plcOp"')
  assertNewPassword(input.password, 'InvalidPassword')
  if (config.invite_code_required && !input.inviteCode) {
    throw new InvalidRequestError('No invite code provided', 'InvalidInviteCode')
  }
  const email = input.email === undefined || input.email === '' ? null : parseEmail(input.email)
  const handle = await checkHandle(deps, input.handle, input.did)
  if (config.invite_code_required) deps.invites.assertAvailable(input.inviteCode)
  if (input.did !== undefined && input.did !== requester) {
    throw new AuthRequiredError(`Missing auth to create account with did: ${input.did}`)
  }
  assertFree(deps, handle, email, input.did)
  return {
    handle,
    email,
    password: input.password,
    inviteCode: config.invite_code_required ? input.inviteCode : undefined,
    did: input.did,
    recoveryKey: input.recoveryKey,
  }
}

async function checkHandle(deps: AccountDeps, input: string, did: string | undefined): Promise<string> {
  const domain = deps.config.service_handle_domain
  const handle = normalizeNewHandle(input, domain)
  assertNotServerHostname(handle, deps.config.hostname)
  if (isServiceHandle(handle, domain)) {
    assertServiceHandleRules(handle, domain)
    return handle
  }
  if (did === undefined) throw new InvalidRequestError('Not a supported handle domain', 'UnsupportedDomain')
  if ((await deps.identity.resolveHandle(handle)) !== did) {
    throw new InvalidRequestError('External handle did not resolve to DID', 'InvalidHandle')
  }
  return handle
}

function assertFree(deps: AccountDeps, handle: string, email: string | null, did: string | undefined): void {
  const { accounts } = deps.tables
  if (accounts.byHandle(handle) !== undefined) {
    throw new InvalidRequestError(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  }
  if (email !== null && accounts.byEmail(email) !== undefined) {
    throw new InvalidRequestError(`Email already taken: ${email}`)
  }
  if (did !== undefined && accounts.byDid(did) !== undefined) {
    throw new InvalidRequestError(`Account already exists: ${did}`)
  }
}
