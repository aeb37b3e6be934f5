/**
 * Blob references inside records. Spec: data-model "`blob` Type".
 * Design: a blob ref is a plain object `{ $type: 'blob', ref: CID, mimeType, size }`, the same shape
 * in memory as in DRISL (no wrapper class, so records encode and decode without a conversion
 * pass). The deprecated legacy form `{ cid: string, mimeType }` is recognised when reading but
 * never produced.
 * Tricky bits: the legacy form has no `$type`, so it is only detected by its exact shape (two
 * string fields, nothing else), as the reference implementation does.
 */
import { CID, parseCid } from './cid.ts'

export interface BlobRef {
  $type: 'blob'
  ref: CID
  mimeType: string
  /** Length in bytes; positive. */
  size: number
}

export interface LegacyBlobRef {
  cid: string
  mimeType: string
}

/** A blob reference found in a record: typed (with size) or legacy (size null). */
export interface FoundBlobRef {
  cid: CID
  mimeType: string
  size: number | null
}

export function createBlobRef(cid: CID, mimeType: string, size: number): BlobRef {
  return { $type: 'blob', ref: cid, mimeType, size }
}

/** A well-formed typed blob ref: exactly `$type`, `ref` (a CID), non-empty `mimeType`, positive `size`. */
export function isBlobRef(value: unknown): value is BlobRef {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    v.$type === 'blob' &&
    v.ref instanceof CID &&
    typeof v.mimeType === 'string' &&
    v.mimeType.length > 0 &&
    Number.isSafeInteger(v.size) &&
    (v.size as number) > 0 &&
    Object.keys(v).length === 4
  )
}

/** The deprecated `{ cid, mimeType }` shape, with a parseable CID string. */
export function isLegacyBlobRef(value: unknown): value is LegacyBlobRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const v = value as Record<string, unknown>
  if (typeof v.cid !== 'string' || typeof v.mimeType !== 'string' || Object.keys(v).length !== 2) return false
  try {
    parseCid(v.cid)
    return true
  } catch {
    return false // parseCid only throws InvalidCidError
  }
}

/** Every blob reference anywhere in a data-model value, in document order. */
export function findBlobRefs(value: unknown): FoundBlobRef[] {
  const found: FoundBlobRef[] = []
  walk(value, found)
  return found
}

function walk(value: unknown, found: FoundBlobRef[]): void {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || CID.asCID(value)) return
  if (Array.isArray(value)) {
    for (const item of value) walk(item, found)
    return
  }
  if (isBlobRef(value)) {
    found.push({ cid: value.ref, mimeType: value.mimeType, size: value.size })
    return
  }
  if (isLegacyBlobRef(value)) {
    found.push({ cid: parseCid(value.cid), mimeType: value.mimeType, size: null })
    return
  }
  for (const item of Object.values(value)) walk(item, found)
}
