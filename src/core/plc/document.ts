/**
 * The DID document of a did:plc identity, derived from its last operation.
 * Spec: did-plc "DID Resolution"; did "DID Documents". Written the way the PLC directory serves
 * documents today: `Multikey` verification methods with fully-qualified ids (`<did>#atproto`),
 * services with relative ids (`#atproto_pds`).
 * Tricky bits: a key that does not parse as a did:key is left out of the document rather than
 * failing the whole document (the directory refuses such operations anyway).
 */
import { parseDidKey } from '../crypto/did-key.ts'
import { InvalidKeyError, type JwtAlg } from '../crypto/ecdsa.ts'
import { normalizeOp } from './operations.ts'
import type { PlcDataOperation, PlcDocumentData } from './types.ts'

export interface PlcDidDocument {
  '@context': string[]
  id: string
  alsoKnownAs: string[]
  verificationMethod: { id: string; type: string; controller: string; publicKeyMultibase: string }[]
  service: { id: string; type: string; serviceEndpoint: string }[]
}

const BASE_CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1']

/** The suite context the directory adds for each key type in use. */
const KEY_CONTEXT: Record<JwtAlg, string> = {
  ES256K: 'https://w3id.org/security/suites/secp256k1-2019/v1',
  ES256: 'https://w3id.org/security/suites/ecdsa-2019/v1',
}

/** The state an operation sets (legacy `create` operations are normalized first). */
export function documentDataFromOp(did: string, op: PlcDataOperation): PlcDocumentData {
  const { rotationKeys, verificationMethods, alsoKnownAs, services } = normalizeOp(op)
  return { did, rotationKeys, verificationMethods, alsoKnownAs, services }
}

export function docFromData(data: PlcDocumentData): PlcDidDocument {
  const context = [...BASE_CONTEXT]
  const verificationMethod: PlcDidDocument['verificationMethod'] = []
  for (const [keyId, didKey] of Object.entries(data.verificationMethods)) {
    const jwtAlg = keyAlg(didKey)
    if (jwtAlg === undefined) continue
    if (!context.includes(KEY_CONTEXT[jwtAlg])) context.push(KEY_CONTEXT[jwtAlg])
    verificationMethod.push({
      id: `${data.did}#${keyId}`,
      type: 'Multikey',
      controller: data.did,
      publicKeyMultibase: didKey.slice('did:key:'.length),
    })
  }
  const service = Object.entries(data.services).map(([serviceId, s]) => ({
    id: `#${serviceId}`,
    type: s.type,
    serviceEndpoint: s.endpoint,
  }))
  return {
    '@context': context,
    id: data.did,
    alsoKnownAs: [...data.alsoKnownAs],
    verificationMethod,
    service,
  }
}

/** The DID document `did` has while `op` is its last operation. */
export function docFromOp(did: string, op: PlcDataOperation): PlcDidDocument {
  return docFromData(documentDataFromOp(did, op))
}

function keyAlg(didKey: string): JwtAlg | undefined {
  try {
    return parseDidKey(didKey).jwtAlg
  } catch (err) {
    if (err instanceof InvalidKeyError) return undefined
    throw err
  }
}
