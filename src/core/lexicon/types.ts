/**
 * The shape of Lexicon documents (spec: lexicon.md "Lexicon Files", "Primary Type Definitions",
 * "Field Type Definitions"). These types describe documents that `schema.ts` has accepted; the
 * validators read them directly rather than converting them to another form.
 */

interface Described {
  description?: string
}

export interface LexBoolean extends Described {
  type: 'boolean'
  default?: boolean
  const?: boolean
}

export interface LexInteger extends Described {
  type: 'integer'
  default?: number
  const?: number
  enum?: number[]
  minimum?: number
  maximum?: number
}

export type LexStringFormat =
  | 'at-identifier'
  | 'at-uri'
  | 'cid'
  | 'datetime'
  | 'did'
  | 'handle'
  | 'language'
  | 'nsid'
  | 'record-key'
  | 'tid'
  | 'uri'

export interface LexString extends Described {
  type: 'string'
  format?: LexStringFormat
  default?: string
  const?: string
  enum?: string[]
  knownValues?: string[]
  minLength?: number
  maxLength?: number
  minGraphemes?: number
  maxGraphemes?: number
}

export interface LexBytes extends Described {
  type: 'bytes'
  minLength?: number
  maxLength?: number
}

export interface LexCidLink extends Described {
  type: 'cid-link'
}

export interface LexBlob extends Described {
  type: 'blob'
  accept?: string[]
  maxSize?: number
}

export interface LexUnknown extends Described {
  type: 'unknown'
}

export interface LexRef extends Described {
  type: 'ref'
  ref: string
}

export interface LexUnion extends Described {
  type: 'union'
  refs: string[]
  closed?: boolean
}

export interface LexToken extends Described {
  type: 'token'
}

export interface LexArray extends Described {
  type: 'array'
  items: LexField
  minLength?: number
  maxLength?: number
}

export interface LexObject extends Described {
  type: 'object'
  /** Optional in practice (see schema.ts); absent means no declared properties. */
  properties?: Record<string, LexField>
  required?: string[]
  nullable?: string[]
}

/** Anything that may describe a value: an object property, an array item, a ref target. */
export type LexField =
  | LexBoolean
  | LexInteger
  | LexString
  | LexBytes
  | LexCidLink
  | LexBlob
  | LexUnknown
  | LexRef
  | LexUnion
  | LexArray
  | LexObject

export type LexParamScalar = LexBoolean | LexInteger | LexString

export interface LexParamArray extends Described {
  type: 'array'
  items: LexParamScalar
  minLength?: number
  maxLength?: number
}

export interface LexParams extends Described {
  type: 'params'
  properties: Record<string, LexParamScalar | LexParamArray>
  required?: string[]
}

export interface LexXrpcBody extends Described {
  encoding: string
  schema?: LexObject | LexRef | LexUnion
}

export interface LexXrpcError extends Described {
  name: string
}

export interface LexQuery extends Described {
  type: 'query'
  parameters?: LexParams
  output?: LexXrpcBody
  errors?: LexXrpcError[]
}

export interface LexProcedure extends Described {
  type: 'procedure'
  parameters?: LexParams
  input?: LexXrpcBody
  output?: LexXrpcBody
  errors?: LexXrpcError[]
}

export interface LexSubscription extends Described {
  type: 'subscription'
  parameters?: LexParams
  message: Described & { schema: LexUnion }
  errors?: LexXrpcError[]
}

export interface LexRecord extends Described {
  type: 'record'
  /** `tid`, `nsid`, `any` or `literal:<value>` (see core/syntax matchesRecordKeyType). */
  key: string
  record: LexObject
}

/** Permission fields depend on the resource; unknown ones must be kept, not dropped. */
export interface LexPermission extends Described {
  type: 'permission'
  resource: string
  [field: string]: unknown
}

export interface LexPermissionSet extends Described {
  type: 'permission-set'
  title?: string
  'title:lang'?: Record<string, string>
  detail?: string
  'detail:lang'?: Record<string, string>
  permissions: LexPermission[]
}

export type LexMethod = LexQuery | LexProcedure | LexSubscription

export type LexPrimary = LexRecord | LexMethod | LexPermissionSet

/** What a document may declare under `defs`. */
export type LexUserDef =
  | LexPrimary
  | LexToken
  | LexObject
  | LexArray
  | LexBoolean
  | LexInteger
  | LexString
  | LexBytes
  | LexCidLink
  | LexBlob

export interface LexiconDoc extends Described {
  lexicon: 1
  id: string
  revision?: number
  defs: Record<string, LexUserDef>
}
