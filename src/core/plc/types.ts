/**
 * did:plc operation shapes (spec: https://web.plc.directory/spec/v0.1/did-plc "Operation Format").
 * An operation is signed over the DAG-CBOR encoding of every field except `sig`; the DID is
 * derived from the signed genesis operation and `prev` chains each later operation to the CID of
 * the one before it.
 * Tricky bits: the deprecated `create` genesis format (2022-23) still opens old logs, so readers
 * accept it; writers only produce `plc_operation` and `plc_tombstone`.
 */

export interface PlcService {
  type: string
  endpoint: string
}

export interface UnsignedPlcOperation {
  type: 'plc_operation'
  /** did:key rotation keys, most powerful first (1 to 5). */
  rotationKeys: string[]
  /** Key id (no `#`) to did:key; `atproto` is the repo signing key. */
  verificationMethods: Record<string, string>
  /** URIs; the handle is the first `at://` entry. */
  alsoKnownAs: string[]
  /** Service id (no `#`) to endpoint; `atproto_pds` is the PDS. */
  services: Record<string, PlcService>
  /** CID string of the previous operation; null for the genesis operation. */
  prev: string | null
}

export interface PlcOperation extends UnsignedPlcOperation {
  /** base64url (no padding) of the compact low-S signature. */
  sig: string
}

export interface UnsignedPlcTombstone {
  type: 'plc_tombstone'
  prev: string
}

export interface PlcTombstone extends UnsignedPlcTombstone {
  sig: string
}

/** The deprecated genesis format; it can only open a log and is read, never written. */
export interface LegacyCreateOperation {
  type: 'create'
  signingKey: string
  recoveryKey: string
  handle: string
  service: string
  prev: null
  sig: string
}

/** An operation that leaves the DID active. */
export type PlcDataOperation = PlcOperation | LegacyCreateOperation

export type AnyPlcOperation = PlcDataOperation | PlcTombstone

export type UnsignedAnyPlcOperation = UnsignedPlcOperation | UnsignedPlcTombstone

/** The state an operation sets: what `<plc>/<did>/data` answers. */
export interface PlcDocumentData {
  did: string
  rotationKeys: string[]
  verificationMethods: Record<string, string>
  alsoKnownAs: string[]
  services: Record<string, PlcService>
}

/** One entry of `<plc>/<did>/log/audit`. */
export interface PlcAuditEntry {
  did: string
  operation: AnyPlcOperation
  cid: string
  nullified: boolean
  createdAt: string
}

export class PlcOperationError extends Error {
  override name = 'PlcOperationError'
}

export const MAX_ROTATION_KEYS = 5
export const ATPROTO_PDS_SERVICE = 'atproto_pds'
export const ATPROTO_PDS_TYPE = 'AtprotoPersonalDataServer'
export const ATPROTO_KEY_ID = 'atproto'
