/**
 * Official-client helpers for the repo integration tests: accounts signed up through
 * @atproto/api on a harness, the XRPC error of a failed call, and the account's repo verified
 * from the database with @atproto/repo.
 */
import { AtpAgent } from '@atproto/api'
import { XRPCError } from '@atproto/xrpc'
import type { Harness } from '../integration/harness.ts'
import { type VerifiedExport, verifyExport } from './repo-verify.ts'

export const PASSWORD = 'correct horse battery staple'

export interface SignedUp {
  agent: AtpAgent
  did: string
  handle: string
}

export async function signUp(h: Harness, name: string): Promise<SignedUp> {
  const agent = new AtpAgent({ service: h.url })
  const handle = `${name}.test`
  const res = await agent.createAccount({ handle, email: `${name}@example.com`, password: PASSWORD })
  return { agent, did: res.data.did, handle }
}

export interface Failure {
  status: number
  error: string
  message: string
}

/** The XRPC failure of a call that must fail. */
export async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise
  } catch (err) {
    if (err instanceof XRPCError) return { status: err.status, error: err.error, message: err.message }
    throw err
  }
  throw new Error('expected the call to fail')
}

/** The account's repository as stored, verified with its signing key by @atproto/repo. */
export function verifyRepo(h: Harness, did: string): Promise<VerifiedExport> {
  return verifyExport(h.ctx, did, h.ctx.accounts.signingKey(did).did())
}
