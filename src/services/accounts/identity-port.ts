/** The identity calls the account flows make, on the identity services (services/identity). */
import { createServiceJwt, type IdentityServices, verifyServiceJwt } from '../identity/index.ts'
import type { IdentityPort } from './deps.ts'

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
