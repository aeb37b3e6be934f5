/**
 * Validators for the concrete Lexicon types (spec: lexicon.md "Field Type Definitions"):
 * boolean, integer, string, bytes, cid-link, and the `unknown` meta type. Values are in data-model
 * form: integers are safe JavaScript integers (never floats), bytes are Uint8Array, links are CID
 * instances. `knownValues` is advice, not a constraint. String limits use cheap bounds first
 * (a UTF-16 unit is 1-3 UTF-8 bytes and at most one grapheme) and count only when those cannot
 * decide.
 */
import { CID } from 'multiformats/cid'
import { graphemeLength, utf8Length } from './string-length.ts'
import type { LexBoolean, LexBytes, LexInteger, LexString } from './types.ts'
import { checkStringFormat } from './validate-string-format.ts'
import { fail, isPlainObject, type Validator } from './validator.ts'

export function compileBoolean(def: LexBoolean): Validator {
  return (value, path) => {
    if (typeof value !== 'boolean') throw fail(path, 'must be a boolean')
    if (def.const !== undefined && value !== def.const) throw fail(path, `must be ${def.const}`)
    return value
  }
}

export function compileInteger(def: LexInteger): Validator {
  const allowed = def.enum && new Set(def.enum)
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw fail(path, 'must be an integer')
    if (def.const !== undefined && value !== def.const) throw fail(path, `must be ${def.const}`)
    if (allowed && !allowed.has(value)) throw fail(path, `must be one of (${def.enum?.join('|')})`)
    if (def.maximum !== undefined && value > def.maximum)
      throw fail(path, `can not be greater than ${def.maximum}`)
    if (def.minimum !== undefined && value < def.minimum)
      throw fail(path, `can not be less than ${def.minimum}`)
    return value
  }
}

export function compileString(def: LexString): Validator {
  const allowed = def.enum && new Set(def.enum)
  const { format } = def
  const countBytes = def.minLength !== undefined || def.maxLength !== undefined
  const countGraphemes = def.minGraphemes !== undefined || def.maxGraphemes !== undefined
  return (value, path) => {
    if (typeof value !== 'string') throw fail(path, 'must be a string')
    if (def.const !== undefined && value !== def.const) throw fail(path, `must be ${def.const}`)
    if (allowed && !allowed.has(value)) throw fail(path, `must be one of (${def.enum?.join('|')})`)
    if (countBytes) checkByteLength(def, value, path)
    if (countGraphemes) checkGraphemes(def, value, path)
    if (format !== undefined) checkStringFormat(format, value, path)
    return value
  }
}

function checkByteLength({ minLength: min, maxLength: max }: LexString, value: string, path: string): void {
  const units = value.length
  // Each UTF-16 unit is 1-3 UTF-8 bytes: decide from the unit count when the bounds allow.
  if (min !== undefined && units * 3 < min) throw fail(path, `must not be shorter than ${min} characters`)
  if ((min === undefined || units >= min) && (max === undefined || units * 3 <= max)) return
  const bytes = utf8Length(value)
  if (max !== undefined && bytes > max) throw fail(path, `must not be longer than ${max} characters`)
  if (min !== undefined && bytes < min) throw fail(path, `must not be shorter than ${min} characters`)
}

function checkGraphemes(
  { minGraphemes: min, maxGraphemes: max }: LexString,
  value: string,
  path: string,
): void {
  const units = value.length
  // A grapheme is at least one UTF-16 unit, so the unit count is an upper bound.
  if (min !== undefined && units < min) throw fail(path, `must not be shorter than ${min} graphemes`)
  if (min === undefined && max !== undefined && units <= max) return
  const graphemes = graphemeLength(value)
  if (max !== undefined && graphemes > max) throw fail(path, `must not be longer than ${max} graphemes`)
  if (min !== undefined && graphemes < min) throw fail(path, `must not be shorter than ${min} graphemes`)
}

export function compileBytes(def: LexBytes): Validator {
  return (value, path) => {
    if (!(value instanceof Uint8Array)) throw fail(path, 'must be a byte array')
    if (def.maxLength !== undefined && value.byteLength > def.maxLength) {
      throw fail(path, `must not be larger than ${def.maxLength} bytes`)
    }
    if (def.minLength !== undefined && value.byteLength < def.minLength) {
      throw fail(path, `must not be smaller than ${def.minLength} bytes`)
    }
    return value
  }
}

export const validateCidLink: Validator = (value, path) => {
  if (CID.asCID(value) === null) throw fail(path, 'must be a CID')
  return value
}

/**
 * `unknown` accepts any map, but not one shaped like a compound data-model value (a blob, or the
 * JSON forms of a link or bytes) at its top level (spec: lexicon.md "unknown").
 */
export const validateUnknown: Validator = (value, path) => {
  if (!isPlainObject(value) || value.$type === 'blob' || isJsonCompound(value))
    throw fail(path, 'must be an object')
  return value
}

function isJsonCompound(value: Record<string, unknown>): boolean {
  let keys = 0
  for (const key in value) {
    if (++keys > 1) return false
    if (key !== '$link' && key !== '$bytes') return false
  }
  return keys === 1
}
