/**
 * What the value validators share: a compiled validator is a closure built once per schema
 * definition, called with the value and its path (`Record/embed/images/0`). It throws a
 * LexiconValidationError on the first problem and returns the value, or a shallow copy with
 * defaults filled in when a missing property declares one (the input is never mutated).
 */
import { LexiconValidationError } from './errors.ts'

export type Validator = (value: unknown, path: string) => unknown

export type PlainObject = Record<string, unknown>

export function fail(path: string, problem: string): LexiconValidationError {
  return new LexiconValidationError(`${path} ${problem}`)
}

/**
 * A data-model map: JSON objects and decoded CBOR maps. CID instances, byte arrays and other
 * class instances are not maps, so the prototype check rules them out in one step.
 */
export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
