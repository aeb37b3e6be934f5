/**
 * Compiles Lexicon definitions into validators (spec: lexicon.md "Field Type Definitions",
 * "ref", "union"). Each definition object is compiled once and cached, so a record validates by
 * calling closures that already hold their limits, property lists and lookup sets. References
 * resolve lazily on first use, which lets recursive schemas (a thread view containing thread
 * views) compile, and lets documents be added in any order. Objects allow unknown properties; a
 * `null` property passes only when listed in `nullable`. A union needs `$type`; an open union
 * accepts a `$type` it does not list, a closed one rejects it. `$type: "nsid#main"` is accepted
 * as `nsid`, as the reference implementation does.
 */
import { LexiconDocError } from './errors.ts'
import type { LexArray, LexField, LexObject, LexUnion, LexUserDef } from './types.ts'
import { compileBlob } from './validate-blob.ts'
import {
  compileBoolean,
  compileBytes,
  compileInteger,
  compileString,
  validateCidLink,
  validateUnknown,
} from './validate-primitives.ts'
import { fail, isPlainObject, type PlainObject, type Validator } from './validator.ts'

export interface ResolvedDef {
  def: LexUserDef
  /** The document the definition lives in, against which its own local `#refs` resolve. */
  docId: string
  /** The absolute reference: `nsid` for main, else `nsid#name`. */
  uri: string
}

/** Finds the definition a reference names; throws LexiconDocError when there is none. */
export type RefResolver = (ref: string, docId: string) => ResolvedDef

interface PropertyCheck {
  key: string
  validate: Validator
  required: boolean
  nullable: boolean
  defaultValue: unknown
}

const validateToken: Validator = (value, path) => {
  if (typeof value !== 'string') throw fail(path, 'must be a string')
  return value
}

export class ValidatorCompiler {
  private readonly compiled = new WeakMap<object, Validator>()

  constructor(private readonly resolve: RefResolver) {}

  /** The validator for a field definition declared in document `docId`. */
  field(def: LexField, docId: string): Validator {
    let validator = this.compiled.get(def)
    if (validator === undefined) {
      validator = this.compile(def, docId)
      this.compiled.set(def, validator)
    }
    return validator
  }

  /** The validator for whatever a `ref` points at. */
  private target(ref: string, docId: string): Validator {
    const { def, docId: targetDocId, uri } = this.resolve(ref, docId)
    switch (def.type) {
      case 'record':
        return this.field(def.record, targetDocId)
      case 'token':
        return validateToken
      case 'query':
      case 'procedure':
      case 'subscription':
      case 'permission-set':
        throw new LexiconDocError(`${uri} is a ${def.type}, which cannot describe a value`)
      default:
        return this.field(def, targetDocId)
    }
  }

  private compile(def: LexField, docId: string): Validator {
    switch (def.type) {
      case 'boolean':
        return compileBoolean(def)
      case 'integer':
        return compileInteger(def)
      case 'string':
        return compileString(def)
      case 'bytes':
        return compileBytes(def)
      case 'cid-link':
        return validateCidLink
      case 'blob':
        return compileBlob(def)
      case 'unknown':
        return validateUnknown
      case 'array':
        return this.array(def, docId)
      case 'object':
        return this.object(def, docId)
      case 'ref':
        return this.lazy(() => this.target(def.ref, docId))
      case 'union':
        return this.union(def, docId)
    }
  }

  /** Defers resolving a reference until the first value arrives, then keeps the result. */
  private lazy(resolveTarget: () => Validator): Validator {
    let target: Validator | undefined
    return (value, path) => {
      target ??= resolveTarget()
      return target(value, path)
    }
  }

  private array(def: LexArray, docId: string): Validator {
    const items = this.field(def.items, docId)
    const { minLength, maxLength } = def
    return (value, path) => {
      if (!Array.isArray(value)) throw fail(path, 'must be an array')
      if (maxLength !== undefined && value.length > maxLength) {
        throw fail(path, `must not have more than ${maxLength} elements`)
      }
      if (minLength !== undefined && value.length < minLength) {
        throw fail(path, `must not have fewer than ${minLength} elements`)
      }
      let out = value
      for (let i = 0; i < value.length; i++) {
        const item = value[i]
        const checked = items(item, `${path}/${i}`)
        if (checked === item) continue
        if (out === value) out = value.slice()
        out[i] = checked
      }
      return out
    }
  }

  private object(def: LexObject, docId: string): Validator {
    const required = new Set(def.required)
    const nullable = new Set(def.nullable)
    const checks: PropertyCheck[] = Object.entries(def.properties ?? {}).map(([key, prop]) => ({
      key,
      validate: this.field(prop, docId),
      required: required.has(key),
      nullable: nullable.has(key),
      defaultValue: 'default' in prop ? prop.default : undefined,
    }))
    return (value, path) => {
      if (!isPlainObject(value)) throw fail(path, 'must be an object')
      let out: PlainObject = value
      for (const check of checks) {
        const prop = value[check.key]
        let checked: unknown
        if (prop === undefined) {
          if (check.required) throw fail(path, `must have the property "${check.key}"`)
          if (check.defaultValue === undefined) continue
          checked = check.defaultValue
        } else if (prop === null && check.nullable) {
          continue
        } else {
          checked = check.validate(prop, `${path}/${check.key}`)
          if (checked === prop) continue
        }
        if (out === value) out = { ...value }
        out[check.key] = checked
      }
      return out
    }
  }

  private union(def: LexUnion, docId: string): Validator {
    const variants = new Map<string, string>()
    for (const ref of def.refs) {
      const uri = ref.startsWith('#') ? `${docId}${ref}` : ref
      const canonical = uri.endsWith('#main') ? uri.slice(0, -5) : uri
      variants.set(canonical, canonical)
      if (!canonical.includes('#')) variants.set(`${canonical}#main`, canonical)
    }
    const listed = [...new Set(variants.values())].join(', ')
    const validators = new Map<string, Validator>()
    return (value, path) => {
      if (!isPlainObject(value) || typeof value.$type !== 'string') {
        throw fail(path, 'must be an object which includes the "$type" property')
      }
      const uri = variants.get(value.$type)
      if (uri === undefined) {
        if (def.closed) throw fail(path, `$type must be one of ${listed}`)
        return value
      }
      let validator = validators.get(uri)
      if (validator === undefined) {
        validator = this.variant(uri, docId)
        validators.set(uri, validator)
      }
      return validator(value, path)
    }
  }

  /** Union variants are objects or records (spec: lexicon.md "union"). */
  private variant(ref: string, docId: string): Validator {
    const { def, uri } = this.resolve(ref, docId)
    if (def.type !== 'object' && def.type !== 'record') {
      throw new LexiconDocError(`union variant ${uri} is a ${def.type}, not an object or a record`)
    }
    return this.target(ref, docId)
  }
}
