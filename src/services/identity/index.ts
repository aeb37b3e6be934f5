/**
 * Identity: DID and handle resolution with caching, bi-directional verification, PLC, service
 * auth, and the com.atproto.identity operations (IdentityService).
 */

export type { IdentityAccounts, IdentityEvents } from './deps.ts'
export {
  ATPROTO_PDS,
  type DidDocument,
  type DidService,
  getHandle,
  getPdsEndpoint,
  getServiceEndpoint,
  getVerificationKey,
  parseDidDocument,
  type VerificationMethod,
} from './did-document.ts'
export {
  type AtprotoData,
  DidResolver,
  type DidResolverOptions,
  type ResolveOptions,
} from './did-resolver.ts'
export { didWebUrl } from './did-web-url.ts'
export * from './errors.ts'
export {
  didFromTxtRecords,
  HandleResolver,
  type HandleResolverOptions,
  type ResolveTxtFn,
} from './handle-resolver.ts'
export {
  type DidSource,
  type HandleSource,
  IdentityResolver,
  type ResolvedIdentity,
} from './identity.ts'
export { IdentityService, type IdentityServiceOptions } from './identity-service.ts'
export { PlcClient } from './plc-client.ts'
export type { RecommendedDidCredentials, SignPlcOperationInput } from './plc-operations.ts'
export {
  type CreateServiceJwtOptions,
  createServiceJwt,
  type VerifiedServiceJwt,
  type VerifyServiceJwtOptions,
  verifyServiceJwt,
} from './service-auth.ts'
export {
  createIdentityServices,
  type IdentityNetworkOverrides,
  type IdentityServices,
  outboundFetch,
} from './services.ts'
