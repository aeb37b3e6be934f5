/**
 * com.atproto.identity resolution as a PDS answers it: this server's own accounts first, then the
 * network (spec: handle "Handle Resolution", did "DID Documents").
 * - A handle held by a local account resolves from the database, as the reference PDS does. A
 *   handle under service_handle_domain that no account holds is not looked up on the network:
 *   this server is the authority for that zone (its per-handle well-known answers from the same
 *   table), so the answer is HandleNotFound at once.
 * - The documents of our own did:web accounts are built locally instead of fetched from ourselves.
 * - A did:plc without a document is told apart: a tombstoned DID is DidDeactivated, any other is
 *   DidNotFound (the directory's last operation says which).
 */
import { isDidPlc } from '../../core/syntax/did.ts'
import { isValidHandle, normalizeHandle } from '../../core/syntax/handle.ts'
import { accountIdOf } from '../accounts/did-web.ts'
import type { IdentityDeps } from './deps.ts'
import { type DidDocument, parseDidDocument } from './did-document.ts'
import type { ResolveOptions } from './did-resolver.ts'
import { DidDeactivatedError, DidNotFoundError, HandleNotFoundError, PlcError } from './errors.ts'
import { type DidSource, type HandleSource, IdentityResolver, type ResolvedIdentity } from './identity.ts'

export class LocalFirstResolution {
  readonly handles: HandleSource
  readonly dids: DidSource
  private readonly identity: IdentityResolver

  constructor(private readonly deps: IdentityDeps) {
    this.handles = { resolve: (handle, opts) => this.handleToDid(handle, opts) }
    this.dids = { resolve: (did, opts) => this.document(did, opts) }
    this.identity = new IdentityResolver(this.dids, this.handles)
  }

  /** com.atproto.identity.resolveHandle: the DID, unverified; HandleNotFound when there is none. */
  async resolveHandle(handle: string): Promise<string> {
    const did = await this.handleToDid(handle)
    if (did === undefined) throw new HandleNotFoundError(handle)
    return did
  }

  /** com.atproto.identity.resolveDid: the current document; DidNotFound or DidDeactivated. */
  async resolveDid(did: string, opts: ResolveOptions = {}): Promise<DidDocument> {
    const doc = await this.document(did, opts)
    if (doc === null) throw await this.missingDid(did)
    return doc
  }

  /** com.atproto.identity.resolveIdentity: DID, document and bi-directionally verified handle. */
  async resolveIdentity(identifier: string, opts: ResolveOptions = {}): Promise<ResolvedIdentity> {
    try {
      return await this.identity.resolveIdentity(identifier, opts)
    } catch (err) {
      if (err instanceof DidNotFoundError) throw await this.missingDid(err.did)
      throw err
    }
  }

  /** com.atproto.identity.refreshIdentity: as resolveIdentity, with every cache skipped. */
  refreshIdentity(identifier: string): Promise<ResolvedIdentity> {
    return this.resolveIdentity(identifier, { forceRefresh: true })
  }

  private async handleToDid(input: string, opts: ResolveOptions = {}): Promise<string | undefined> {
    if (!isValidHandle(input)) return undefined
    const handle = normalizeHandle(input)
    const local = this.deps.accounts().tables.accounts.byHandle(handle)
    if (local !== undefined && local.takedownRef === null) return local.did
    if (isInServiceZone(handle, this.deps.config.service_handle_domain)) return undefined
    return this.deps.net.handles.resolve(handle, opts)
  }

  private async document(did: string, opts: ResolveOptions = {}): Promise<DidDocument | null> {
    const id = accountIdOf(this.deps.config, did)
    if (id !== undefined) {
      const local = this.deps.accounts().didWebDocument(id)
      return local === undefined ? null : parseDidDocument(did, local)
    }
    return this.deps.net.dids.resolve(did, opts)
  }

  /** DidDeactivated for a tombstoned did:plc, DidNotFound otherwise. */
  private async missingDid(did: string): Promise<DidNotFoundError | DidDeactivatedError> {
    if (!isDidPlc(did)) return new DidNotFoundError(did)
    try {
      const last = await this.deps.net.plc.getLastOperation(did)
      return last.type === 'plc_tombstone' ? new DidDeactivatedError(did) : new DidNotFoundError(did)
    } catch (err) {
      if (!(err instanceof PlcError && err.plcStatus === 404)) {
        this.deps.logger.warn('could not read the last PLC operation', { did, err })
      }
      return new DidNotFoundError(did)
    }
  }
}

/** The service domain itself or a name under it. */
export function isInServiceZone(handle: string, serviceDomain: string): boolean {
  return handle === serviceDomain || handle.endsWith(`.${serviceDomain}`)
}
