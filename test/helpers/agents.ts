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

/** `<status> <error>: <message>` for a call that fails with an XRPC error, `ok` for one that succeeds. */
export async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof XRPCError) return `${err.status} ${err.error}: ${err.message}`
    throw err
  }
  return 'ok'
}

/** The account's repository as stored, verified with its signing key by @atproto/repo. */
export function verifyRepo(h: Harness, did: string): Promise<VerifiedExport> {
  return verifyExport(h.ctx, did, h.ctx.accounts.signingKey(did).did())
}

export interface XrpcAnswer {
  status: number
  body: Record<string, unknown> | null
}

/** Clients of a harness that is started later (in beforeAll): official agents and raw calls. */
export interface HarnessClient {
  agent(): AtpAgent
  /** An agent signed in to a new account `<name>.test` (password PASSWORD). */
  signUp(name: string, email?: string): Promise<AtpAgent>
  /** A raw XRPC call: GET without a body, POST with a JSON one; the status and parsed body. */
  xrpc(method: string, init?: { body?: unknown; token?: string }): Promise<XrpcAnswer>
}

export function harnessClient(harness: () => Harness): HarnessClient {
  const agent = () => new AtpAgent({ service: harness().url })
  return {
    agent,
    async signUp(name, email = `${name}@example.com`) {
      const a = agent()
      await a.createAccount({ handle: `${name}.test`, email, password: PASSWORD })
      return a
    },
    async xrpc(method, init = {}) {
      const headers: Record<string, string> = {}
      if (init.body !== undefined) headers['content-type'] = 'application/json'
      if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
      const res = await fetch(`${harness().url}/xrpc/${method}`, {
        method: init.body === undefined ? 'GET' : 'POST',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      })
      return { status: res.status, body: (await res.json().catch(() => null)) as XrpcAnswer['body'] }
    },
  }
}
