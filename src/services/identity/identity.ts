/**
 * Bi-directional identity (spec: handle "Handle Resolution", did "DID Documents"): a handle is
 * valid for a DID only when the handle resolves to the DID *and* the DID document claims the
 * handle. Otherwise the answer carries `handle.invalid`, as com.atproto.identity.resolveIdentity
 * specifies.
 */
import { isValidDid } from '../../core/syntax/did.ts'
import { INVALID_HANDLE, isValidHandle, normalizeHandle } from '../../core/syntax/handle.ts'
import { InvalidRequestError } from '../errors.ts'
import { type DidDocument, getHandle } from './did-document.ts'
import type { ResolveOptions } from './did-resolver.ts'
import { DidNotFoundError, HandleNotFoundError } from './errors.ts'

/** Where documents come from: a DidResolver, or one that answers for local DIDs first. */
export interface DidSource {
  resolve(did: string, opts?: ResolveOptions): Promise<DidDocument | null>
}

/** Where handles are looked up: a HandleResolver, or one that answers for local handles first. */
export interface HandleSource {
  resolve(handle: string, opts?: ResolveOptions): Promise<string | undefined>
}

export interface ResolvedIdentity {
  did: string
  /** The verified handle, or `handle.invalid`. */
  handle: string
  didDoc: DidDocument
}

export class IdentityResolver {
  constructor(
    readonly dids: DidSource,
    readonly handles: HandleSource,
  ) {}

  /**
   * Resolves a DID or a handle to the DID, its document and its verified handle. Throws
   * InvalidRequest `HandleNotFound` when a handle resolves to no DID, `DidNotFound` when the DID
   * has no document.
   */
  async resolveIdentity(identifier: string, opts: ResolveOptions = {}): Promise<ResolvedIdentity> {
    if (identifier.startsWith('did:')) {
      if (!isValidDid(identifier)) throw new InvalidRequestError('invalid DID')
      const didDoc = await this.document(identifier, opts)
      return { did: identifier, handle: await this.verifiedHandle(identifier, didDoc, opts), didDoc }
    }
    if (!isValidHandle(identifier)) throw new InvalidRequestError('invalid handle')
    const handle = normalizeHandle(identifier)
    const did = await this.handles.resolve(handle, opts)
    if (did === undefined) throw new HandleNotFoundError(handle)
    const didDoc = await this.document(did, opts)
    return { did, handle: getHandle(didDoc) === handle ? handle : INVALID_HANDLE, didDoc }
  }

  /** The handle the document claims, if it resolves back to `did`; else `handle.invalid`. */
  async verifiedHandle(did: string, didDoc: DidDocument, opts: ResolveOptions = {}): Promise<string> {
    const claimed = getHandle(didDoc)
    if (claimed === undefined) return INVALID_HANDLE
    return (await this.handles.resolve(claimed, opts)) === did ? claimed : INVALID_HANDLE
  }

  private async document(did: string, opts: ResolveOptions): Promise<DidDocument> {
    const doc = await this.dids.resolve(did, opts)
    if (doc === null) throw new DidNotFoundError(did)
    return doc
  }
}
