/**
 * DID documents as atproto reads them (spec: did "DID Documents"): the shape check, and the
 * handle, signing key and service endpoints extracted from a document.
 * Ids of verification methods and services match in relative (`#atproto`) and fully-qualified
 * (`did:plc:...#atproto`) form. Unknown fields are kept, because resolveIdentity returns the
 * document as published.
 */
import { z } from 'zod'
import { didKeyFromVerificationMethod } from '../../core/crypto/did-key.ts'
import { InvalidKeyError } from '../../core/crypto/ecdsa.ts'
import { isValidHandle, normalizeHandle } from '../../core/syntax/handle.ts'
import { DidDocumentError } from './errors.ts'

const verificationMethodSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  controller: z.string(),
  publicKeyMultibase: z.string().optional(),
})

const serviceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  serviceEndpoint: z.union([z.string(), z.record(z.string(), z.unknown())]),
})

const didDocumentSchema = z.looseObject({
  '@context': z.union([z.string(), z.array(z.string())]).optional(),
  id: z.string(),
  alsoKnownAs: z.array(z.string()).optional(),
  verificationMethod: z.array(verificationMethodSchema).optional(),
  service: z.array(serviceSchema).optional(),
})

export type DidDocument = z.infer<typeof didDocumentSchema>
export type VerificationMethod = z.infer<typeof verificationMethodSchema>
export type DidService = z.infer<typeof serviceSchema>

export const ATPROTO_PDS = { id: 'atproto_pds', type: 'AtprotoPersonalDataServer' } as const

/** Checks the shape of a fetched document and that it is the document of `did`. */
export function parseDidDocument(did: string, json: unknown): DidDocument {
  const parsed = didDocumentSchema.safeParse(json)
  if (!parsed.success) throw new DidDocumentError(`malformed DID document for ${did}`)
  if (parsed.data.id !== did) throw new DidDocumentError(`the DID document of ${did} claims another id`)
  return parsed.data
}

/** The first syntactically valid `at://` handle in alsoKnownAs, normalized; it is a claim, not verified. */
export function getHandle(doc: DidDocument): string | undefined {
  for (const aka of doc.alsoKnownAs ?? []) {
    if (!aka.startsWith('at://')) continue
    const handle = aka.slice('at://'.length)
    if (isValidHandle(handle)) return normalizeHandle(handle)
  }
  return undefined
}

/** The did:key of the first usable verification method with this id (default `atproto`). */
export function getVerificationKey(doc: DidDocument, keyId = 'atproto'): string | undefined {
  for (const method of doc.verificationMethod ?? []) {
    if (!matchesId(doc, method.id, keyId) || method.publicKeyMultibase === undefined) continue
    try {
      return didKeyFromVerificationMethod({
        type: method.type,
        publicKeyMultibase: method.publicKeyMultibase,
      })
    } catch (err) {
      if (!(err instanceof InvalidKeyError)) throw err
    }
  }
  return undefined
}

/** The http(s) endpoint of the first service with this id (and type, when given). */
export function getServiceEndpoint(doc: DidDocument, serviceId: string, type?: string): string | undefined {
  const service = doc.service?.find((s) => matchesId(doc, s.id, serviceId))
  if (!service || (type !== undefined && service.type !== type)) return undefined
  const endpoint = service.serviceEndpoint
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return undefined
  const { protocol } = new URL(endpoint)
  return protocol === 'https:' || protocol === 'http:' ? endpoint : undefined
}

export function getPdsEndpoint(doc: DidDocument): string | undefined {
  return getServiceEndpoint(doc, ATPROTO_PDS.id, ATPROTO_PDS.type)
}

function matchesId(doc: DidDocument, id: string, fragment: string): boolean {
  const bare = fragment.startsWith('#') ? fragment.slice(1) : fragment
  return id === `#${bare}` || id === `${doc.id}#${bare}`
}
