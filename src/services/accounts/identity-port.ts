/** The identity services the account flows use, and how they are built. */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import { VERSION } from '../../lib/version.ts'
import {
  createServiceJwt,
  DidResolver,
  HandleResolver,
  PlcClient,
  verifyServiceJwt,
} from '../identity/index.ts'
import { createSafeFetch } from '../outbound/index.ts'
import type { IdentityPort } from './deps.ts'

export interface IdentityServices {
  plc: PlcClient
  dids: DidResolver
  handles: HandleResolver
}

export function identityPort(services: IdentityServices, now: () => number = Date.now): IdentityPort {
  const { plc, dids, handles } = services
  return {
    submitPlcOperation: (did, op) => plc.sendOperation(did, op),
    resolveDidDocument: async (did) => (await dids.resolve(did)) ?? undefined,
    resolveAtprotoData: async (did) => {
      const data = await dids.resolveAtprotoData(did, { forceRefresh: true })
      return { signingKey: data.signingKey, pds: data.pds }
    },
    resolveHandle: (handle) => handles.resolve(handle, { forceRefresh: true }),
    verifyServiceJwt: async (token, aud, lxm) => {
      const verified = await verifyServiceJwt(token, { aud, lxm, resolver: dids, now })
      return { did: verified.did }
    },
    createServiceJwt: ({ iss, aud, lxm, exp, keypair }) =>
      createServiceJwt({ iss, aud, lxm, keypair, expSeconds: exp - Math.floor(now() / 1000), now }),
  }
}

/**
 * The identity services of a server: one SSRF-guarded fetch shared by the PLC client and the DID
 * and handle resolvers. A server whose own base_url is on loopback (`serve --dev`, tests) may
 * reach loopback and private addresses (a local PLC directory, did:web:localhost); any other
 * server may not.
 */
export function createIdentityServices(config: Config, logger: Logger): IdentityServices {
  const local = isLoopbackOrigin(config.base_url)
  const fetch = createSafeFetch({
    allowPrivate: local,
    timeoutMs: OUTBOUND_TIMEOUT_MS,
    maxBytes: OUTBOUND_MAX_BYTES,
    userAgent: `perlsky/${VERSION}`,
  })
  return {
    plc: new PlcClient(config.plc_url, fetch),
    dids: new DidResolver({ plcUrl: config.plc_url, fetch, allowLocalhostDidWeb: local, logger }),
    handles: new HandleResolver({ fetch, logger }),
  }
}

const OUTBOUND_TIMEOUT_MS = 10_000
const OUTBOUND_MAX_BYTES = 1024 * 1024

function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
