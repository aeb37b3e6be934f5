/**
 * XRPC parameters and JSON bodies (spec: lexicon.md "Query and Procedure (HTTP API)", "params").
 * Query parameters arrive as strings and are coerced by their declared type: an integer is
 * decimal digits with an optional minus sign, a boolean is `true` or `false`, anything else is
 * rejected naming the parameter. An empty value counts as absent (clients send `?cursor=`), an
 * array parameter may repeat, a scalar may not, undeclared parameters are dropped, and defaults
 * fill in missing ones. A body schema describes an object, so the body must be one.
 */
import type { LexParamScalar, LexParams, LexXrpcBody } from './types.ts'
import type { ValidatorCompiler } from './validate-value.ts'
import { fail, isPlainObject, type Validator } from './validator.ts'

export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>
export type ParamsValidator = (query: QueryParams) => Record<string, unknown>
export type BodyValidator = (body: unknown) => unknown

interface ParamCheck {
  key: string
  coerce: (raw: string | readonly string[] | undefined) => unknown
  validate: Validator
  required: boolean
  defaultValue: unknown
}

export function compileParams(
  def: LexParams | undefined,
  compiler: ValidatorCompiler,
  docId: string,
): ParamsValidator {
  const required = new Set(def?.required)
  const checks: ParamCheck[] = Object.entries(def?.properties ?? {}).map(([key, prop]) => ({
    key,
    coerce:
      prop.type === 'array'
        ? (raw) => coerceList(prop.items, raw, key)
        : (raw) => coerceSingle(prop, raw, key),
    validate: compiler.field(prop, docId),
    required: required.has(key),
    defaultValue: prop.type === 'array' ? undefined : prop.default,
  }))
  return (query) => {
    const out: Record<string, unknown> = {}
    for (const check of checks) {
      const value = check.coerce(query[check.key])
      if (value !== undefined) out[check.key] = check.validate(value, check.key)
      else if (check.defaultValue !== undefined) out[check.key] = check.defaultValue
      else if (check.required) throw fail('Params', `must have the property "${check.key}"`)
    }
    return out
  }
}

export function compileBody(
  body: LexXrpcBody | undefined,
  compiler: ValidatorCompiler,
  docId: string,
  path: 'Input' | 'Output',
): BodyValidator | undefined {
  if (body?.schema === undefined) return undefined
  const validate = compiler.field(body.schema, docId)
  return (value) => {
    if (!isPlainObject(value)) throw fail(path, 'must be an object')
    return validate(value, path)
  }
}

function coerceSingle(
  def: LexParamScalar,
  raw: string | readonly string[] | undefined,
  key: string,
): unknown {
  let text = raw
  if (typeof text !== 'string' && text !== undefined) {
    if (text.length > 1) throw fail(key, 'must be given only once')
    text = text[0]
  }
  return text === undefined || text === '' ? undefined : coerceText(def, text, key)
}

function coerceList(
  items: LexParamScalar,
  raw: string | readonly string[] | undefined,
  key: string,
): unknown {
  if (raw === undefined) return undefined
  const texts = (typeof raw === 'string' ? [raw] : raw).filter((text) => text !== '')
  return texts.length === 0 ? undefined : texts.map((text) => coerceText(items, text, key))
}

function coerceText(def: LexParamScalar, text: string, key: string): unknown {
  switch (def.type) {
    case 'string':
      return text
    case 'integer':
      // Longer digit runs cannot be safe integers; the integer validator reports those.
      if (!/^-?\d+$/.test(text)) throw fail(key, 'must be an integer')
      return Number(text)
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true'
      throw fail(key, 'must be a boolean')
  }
}
