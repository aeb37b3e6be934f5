/** Identity: DID and handle resolution with caching, bi-directional verification, PLC, service auth. */
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
export { IdentityResolver, type ResolvedIdentity } from './identity.ts'
export { PlcClient } from './plc-client.ts'
export {
  type CreateServiceJwtOptions,
  createServiceJwt,
  type VerifiedServiceJwt,
  type VerifyServiceJwtOptions,
  verifyServiceJwt,
} from './service-auth.ts'
