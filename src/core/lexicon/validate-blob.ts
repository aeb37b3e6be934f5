/**
 * The `blob` type (spec: lexicon.md "blob", data-model.md "blob Type"). A blob ref is the map
 * `{ $type: 'blob', ref: CID, mimeType, size }` with no other keys, or the legacy
 * `{ cid: string, mimeType }` still found in old records (accepted, never written; it has no size,
 * so `maxSize` cannot apply to it). `accept` patterns are exact MIME types, `type/*` or `*\/*`,
 * compared case-insensitively against the MIME type without parameters.
 */
import { CID } from 'multiformats/cid'
import { isValidCidString } from '../syntax/index.ts'
import type { LexBlob } from './types.ts'
import { fail, isPlainObject, type PlainObject, type Validator } from './validator.ts'

const TYPED_BLOB_KEYS = new Set(['$type', 'ref', 'mimeType', 'size'])

export function compileBlob(def: LexBlob): Validator {
  const accepts = def.accept && !def.accept.includes('*/*') ? mimeMatcher(def.accept) : undefined
  const { maxSize } = def
  return (value, path) => {
    const blob = isPlainObject(value) ? readBlobRef(value) : undefined
    if (blob === undefined) throw fail(path, 'must be a blob ref')
    if (accepts && !accepts(blob.mimeType)) {
      throw fail(path, `mimeType must be one of ${def.accept?.join(', ')} (got ${blob.mimeType})`)
    }
    if (maxSize !== undefined && blob.size !== undefined && blob.size > maxSize) {
      throw fail(path, `must not be larger than ${maxSize} bytes`)
    }
    return value
  }
}

/** The MIME type and size of a typed or legacy blob ref, or undefined if it is neither. */
function readBlobRef(value: PlainObject): { mimeType: string; size?: number } | undefined {
  const { mimeType, size } = value
  if (typeof mimeType !== 'string' || mimeType.length === 0) return undefined
  if (value.$type === 'blob') {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined
    if (CID.asCID(value.ref) === null) return undefined
    for (const key in value) if (!TYPED_BLOB_KEYS.has(key)) return undefined
    return { mimeType, size }
  }
  const legacyShape = typeof value.cid === 'string' && Object.keys(value).length === 2
  return legacyShape && isValidCidString(value.cid as string) ? { mimeType } : undefined
}

function mimeMatcher(patterns: string[]): (mimeType: string) => boolean {
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase()
    if (lower.endsWith('/*')) prefixes.push(lower.slice(0, -1))
    else exact.add(lower)
  }
  return (mimeType) => {
    const essence = (mimeType.split(';', 1)[0] ?? '').trim().toLowerCase()
    return exact.has(essence) || prefixes.some((prefix) => essence.startsWith(prefix))
  }
}
