// How the identity network services are built from the config: the SSRF guard allows loopback and
// private addresses only when the server itself runs on loopback (dev, tests).
import { afterAll, describe, expect, test } from 'bun:test'
import { loadConfig } from '../../../src/config/load.ts'
import { silentLogger } from '../../../src/lib/logger.ts'
import { createIdentityServices, DidResolutionError, PlcError } from '../../../src/services/identity/index.ts'
import { isLoopbackOrigin, OutboundBlockedError } from '../../../src/services/outbound/index.ts'

const DID = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'

/** A "PLC directory" on 127.0.0.1 that knows no DID; it counts what reaches it. */
let requests = 0
const directory = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch() {
    requests++
    return Response.json({ message: 'DID not registered' }, { status: 404 })
  },
})
afterAll(() => directory.stop(true))

function servicesFor(baseUrl: string) {
  const config = loadConfig(
    {
      base_url: baseUrl,
      service_handle_domain: 'example.com',
      account_did_method: 'did:web',
      plc_url: `http://127.0.0.1:${directory.port}`,
      jwt_secret: 'identity-services-test-secret',
      data_dir: '/nonexistent',
    },
    '/',
  )
  return createIdentityServices(config, silentLogger())
}

describe('the outbound guard follows base_url', () => {
  test('a public server refuses to reach a loopback PLC directory, without sending anything', async () => {
    const { plc, dids } = servicesFor('https://pds.example.com')
    const before = requests
    const plcErr = await plc.getLastOperation(DID).catch((e: unknown) => e)
    expect(plcErr).toBeInstanceOf(PlcError)
    expect((plcErr as PlcError).cause).toBeInstanceOf(OutboundBlockedError)
    const didErr = await dids.resolve(DID).catch((e: unknown) => e)
    expect(didErr).toBeInstanceOf(DidResolutionError)
    expect((didErr as DidResolutionError).cause).toBeInstanceOf(OutboundBlockedError)
    expect(requests).toBe(before)
  })

  test('a loopback server reaches it', async () => {
    const { plc, dids } = servicesFor('http://localhost:2583')
    const err = await plc.getLastOperation(DID).catch((e: unknown) => e)
    expect((err as PlcError).plcStatus).toBe(404)
    expect(await dids.resolve(DID)).toBeNull()
  })
})

describe('isLoopbackOrigin', () => {
  for (const [origin, loopback] of [
    ['http://localhost:2583', true],
    ['http://127.0.0.1:7755', true],
    ['http://127.1.2.3', true],
    ['http://[::1]:7755', true],
    ['https://pds.example.com', false],
    ['http://localhost.example.com', false],
    ['http://10.0.0.1', false],
  ] as const) {
    test(`${origin} is ${loopback ? '' : 'not '}loopback`, () => {
      expect(isLoopbackOrigin(origin)).toBe(loopback)
    })
  }
})
