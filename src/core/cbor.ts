/**
 * DAG-CBOR encoding (the atproto data model's binary form, "DRISL").
 * Spec: data-model "Data Model / CBOR". Maps are encoded with canonical key order by
 * @ipld/dag-cbor; floats, undefined and non-string keys are not part of the atproto data model.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { type CID, cidForCbor } from './cid.ts'

export class CborError extends Error {
  override name = 'CborError'
}

export function encodeCbor(value: unknown): Uint8Array {
  try {
    return dagCbor.encode(value)
  } catch (err) {
    throw new CborError(`cannot encode value as DAG-CBOR: ${(err as Error).message}`)
  }
}

export function decodeCbor<T = unknown>(bytes: Uint8Array): T {
  try {
    return dagCbor.decode<T>(bytes)
  } catch (err) {
    throw new CborError(`invalid DAG-CBOR: ${(err as Error).message}`)
  }
}

/** Encodes a value and returns the bytes with their CID (one encode, one hash). */
export function encodeBlock(value: unknown): { cid: CID; bytes: Uint8Array } {
  const bytes = encodeCbor(value)
  return { cid: cidForCbor(bytes), bytes }
}
