/**
 * The network side of identity, built once per server: one SSRF-guarded fetch shared by the PLC
 * client and the DID and handle resolvers.
 * The guard rule: a server whose own base_url is on loopback (`serve --dev`, tests) may reach
 * loopback and private addresses (a local PLC directory, did:web:localhost, handle hosts on
 * 127.0.0.1); any other server may reach public unicast addresses only (docs/IDENTITY.md).
 */
import type { Config } from '../../config/schema.ts'
import type { Logger } from '../../lib/logger.ts'
import { VERSION } from '../../lib/version.ts'
import { createSafeFetch, isLoopbackOrigin, type SafeFetch } from '../outbound/index.ts'
import { DidResolver } from './did-resolver.ts'
import { HandleResolver, type ResolveTxtFn } from './handle-resolver.ts'
import { PlcClient } from './plc-client.ts'

export interface IdentityServices {
  plc: PlcClient
  dids: DidResolver
  handles: HandleResolver
}

/** Replacements for the outside world, for tests (a handle host on 127.0.0.1, fake DNS). */
export interface IdentityNetworkOverrides {
  /** Replaces the SSRF-guarded fetch. */
  fetch?: SafeFetch
  /** Replaces the system resolver's TXT lookup. */
  resolveTxt?: ResolveTxtFn
}

const OUTBOUND_TIMEOUT_MS = 10_000
const OUTBOUND_MAX_BYTES = 1024 * 1024

export function createIdentityServices(
  config: Config,
  logger: Logger,
  overrides: IdentityNetworkOverrides = {},
): IdentityServices {
  const local = isLoopbackOrigin(config.base_url)
  const fetch = overrides.fetch ?? outboundFetch(config)
  const handleOptions = overrides.resolveTxt === undefined ? {} : { resolveTxt: overrides.resolveTxt }
  return {
    plc: new PlcClient(config.plc_url, fetch),
    dids: new DidResolver({ plcUrl: config.plc_url, fetch, allowLocalhostDidWeb: local, logger }),
    handles: new HandleResolver({ fetch, logger, ...handleOptions }),
  }
}

/** The guarded fetch this server uses for hosts named by users (see the header for the rule). */
export function outboundFetch(config: Pick<Config, 'base_url'>): SafeFetch {
  return createSafeFetch({
    allowPrivate: isLoopbackOrigin(config.base_url),
    timeoutMs: OUTBOUND_TIMEOUT_MS,
    maxBytes: OUTBOUND_MAX_BYTES,
    userAgent: `perlsky/${VERSION}`,
  })
}
