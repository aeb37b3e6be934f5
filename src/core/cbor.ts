/**
 * DAG-CBOR encoding (the atproto data model's binary form, "DRISL").
 * Spec: data-model "Data Model / CBOR"; https://dasl.ing/drisl.html.
 * The strict encoder and decoder live in cbor-encode.ts and cbor-decode.ts; this module is the
 * API the rest of the code uses. Both directions reject floats, undefined, integers outside the
 * safe range and anything else outside the data model, with a CborError.
 */

import { encodeCbor } from './cbor-encode.ts'
import type { CID } from './cid.ts'
import { cidForCbor } from './cid.ts'

export { decodeCbor, decodeCborFirst } from './cbor-decode.ts'
export { CborError, encodeCbor, MAX_CBOR_DEPTH } from './cbor-encode.ts'

/** Encodes a value and returns the bytes with their CID (one encode, one hash). */
export function encodeBlock(value: unknown): { cid: CID; bytes: Uint8Array } {
  const bytes = encodeCbor(value)
  return { cid: cidForCbor(bytes), bytes }
}
