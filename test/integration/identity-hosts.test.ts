// Per-handle hosts: /.well-known/atproto-did by Host (with a port, any case, X-Forwarded-Host from
// a loopback proxy) and the on-demand TLS gate /_allow-cert.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PASSWORD, type SignedUp, signUp } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
let alice: SignedUp
let dora: SignedUp
beforeAll(async () => {
  h = await startHarness()
  alice = await signUp(h, 'alice')
  dora = await signUp(h, 'dora')
  h.ctx.accounts.deactivateAccount(dora.did)
})
afterAll(() => h.stop())

function wellKnown(headers: Record<string, string>): Promise<Response> {
  return fetch(`${h.url}/.well-known/atproto-did`, { headers })
}

describe('/.well-known/atproto-did', () => {
  for (const [name, headers] of [
    ['the handle as Host', { host: 'alice.test' }],
    ['the handle with a port', { host: 'alice.test:8443' }],
    ['the handle in upper case', { host: 'ALICE.Test' }],
    ['a fully-qualified handle', { host: 'alice.test.' }],
    ['X-Forwarded-Host from a loopback proxy', { 'x-forwarded-host': 'alice.test' }],
    ['X-Forwarded-Host with a port', { host: 'localhost', 'x-forwarded-host': 'alice.test:443' }],
  ] as const) {
    test(`answers the DID as text/plain for ${name}`, async () => {
      const res = await wellKnown(headers)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toStartWith('text/plain')
      expect(await res.text()).toBe(alice.did)
    })
  }

  for (const [name, host] of [
    ['an unknown handle', 'nobody.test'],
    ['the server host itself', '127.0.0.1'],
    ['a deactivated account', 'dora.test'],
    ['an IPv6 literal', '[::1]:80'],
  ] as const) {
    test(`is 404 for ${name}`, async () => {
      const res = await wellKnown({ host })
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: string }).error).toBe('NotFound')
    })
  }

  test('follows a handle change', async () => {
    await alice.agent.login({ identifier: alice.handle, password: PASSWORD })
    await alice.agent.com.atproto.identity.updateHandle({ handle: 'alice2.test' })
    expect(await (await wellKnown({ host: 'alice2.test' })).text()).toBe(alice.did)
    expect((await wellKnown({ host: 'alice.test' })).status).toBe(404)
    await alice.agent.com.atproto.identity.updateHandle({ handle: 'alice.test' })
  })
})

describe('/_allow-cert', () => {
  async function ask(domain?: string): Promise<number> {
    const query = domain === undefined ? '' : `?domain=${encodeURIComponent(domain)}`
    return (await fetch(`${h.url}/_allow-cert${query}`)).status
  }

  for (const domain of ['localhost', 'alice.test', 'ALICE.TEST', 'alice.test.']) {
    test(`allows ${domain}`, async () => expect(await ask(domain)).toBe(200))
  }

  for (const [domain, why] of [
    ['nobody.test', 'a free name under the handle domain'],
    ['dora.test', 'the handle of a deactivated account'],
    ['test', 'the handle domain itself'],
    ['example.com', 'an arbitrary domain'],
    ['alice.test.example.com', 'a handle inside another domain'],
    ['alice.test:443', 'a handle with a port'],
  ] as const) {
    test(`refuses ${domain} (${why}) with 403`, async () => expect(await ask(domain)).toBe(403))
  }

  test('a missing, empty or oversized domain is 400', async () => {
    expect(await ask()).toBe(400)
    expect(await ask('')).toBe(400)
    expect(await ask(`${'a'.repeat(250)}.test`)).toBe(400)
  })
})
