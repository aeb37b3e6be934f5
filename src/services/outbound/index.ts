/** Outbound HTTP to addresses that come from the network, guarded against SSRF. */
export * from './errors.ts'
export { isIpLiteral, isPublicAddress } from './ip-policy.ts'
export { isLoopbackOrigin } from './local-server.ts'
export {
  createSafeFetch,
  type LookupFn,
  type SafeFetch,
  type SafeFetchInit,
  type SafeFetchOptions,
} from './safe-fetch.ts'
