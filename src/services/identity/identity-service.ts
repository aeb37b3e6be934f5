/**
 * Identity behind one object (`ctx.identity`): the network building blocks (PLC client, DID and
 * handle resolvers with their caches) and the com.atproto.identity operations built on them and on
 * the local accounts. Each operation lives in its own module and receives the shared IdentityDeps;
 * the account service and the sequencer are reached through getters (see deps.ts).
 */
import type { Config } from '../../config/schema.ts'
import { Secp256k1Keypair } from '../../core/crypto/keypair.ts'
import type { Logger } from '../../lib/logger.ts'
import type { Db } from '../../storage/database.ts'
import type { IdentityAccounts, IdentityDeps, IdentityEvents } from './deps.ts'
import type { DidResolver } from './did-resolver.ts'
import type { HandleResolver } from './handle-resolver.ts'
import { updateHandle } from './handle-update.ts'
import { allowsCertificate, didForHandleHost } from './hosts.ts'
import { LocalFirstResolution } from './local-resolution.ts'
import type { PlcClient } from './plc-client.ts'
import * as plcOps from './plc-operations.ts'
import { createIdentityServices, type IdentityNetworkOverrides, type IdentityServices } from './services.ts'

export interface IdentityServiceOptions {
  db: Db
  config: Config
  logger: Logger
  accounts: () => IdentityAccounts
  events: () => IdentityEvents
  /** Test doubles for DNS and outbound HTTP. */
  network?: IdentityNetworkOverrides
}

export class IdentityService implements IdentityServices {
  readonly plc: PlcClient
  readonly dids: DidResolver
  readonly handles: HandleResolver
  private readonly deps: IdentityDeps
  private readonly resolution: LocalFirstResolution

  constructor(opts: IdentityServiceOptions) {
    const net = createIdentityServices(opts.config, opts.logger, opts.network)
    this.plc = net.plc
    this.dids = net.dids
    this.handles = net.handles
    const rotationHex = opts.config.plc_rotation_private_key_hex
    this.deps = {
      db: opts.db,
      config: opts.config,
      logger: opts.logger,
      net,
      rotationKey: rotationHex === undefined ? undefined : Secp256k1Keypair.import(rotationHex),
      accounts: opts.accounts,
      events: opts.events,
    }
    this.resolution = new LocalFirstResolution(this.deps)
  }

  resolveHandle = (handle: string) => this.resolution.resolveHandle(handle)
  resolveDid = (did: string) => this.resolution.resolveDid(did)
  resolveIdentity = (identifier: string) => this.resolution.resolveIdentity(identifier)
  refreshIdentity = (identifier: string) => this.resolution.refreshIdentity(identifier)

  /** Sets the account's handle (see handle-update.ts); returns it normalized. */
  updateHandle = (did: string, handle: string) => updateHandle(this.deps, did, handle)

  getRecommendedDidCredentials = (did: string) => plcOps.recommendedDidCredentials(this.deps, did)
  requestPlcOperationSignature = (did: string) => this.deps.accounts().requestPlcOperationToken(did)
  signPlcOperation = (did: string, input: plcOps.SignPlcOperationInput) =>
    plcOps.signPlcOperation(this.deps, did, input)
  submitPlcOperation = (did: string, operation: unknown) =>
    plcOps.submitPlcOperation(this.deps, did, operation)

  /** The DID /.well-known/atproto-did answers on this host name (no port), if any. */
  didForHandleHost = (host: string) => didForHandleHost(this.deps, host)
  /** The on-demand TLS gate: whether a certificate may be requested for `domain`. */
  allowsCertificate = (domain: string) => allowsCertificate(this.deps, domain)
}
