/**
 * Validation of Lexicon documents themselves (spec: lexicon.md "Lexicon Files" through
 * "String Formats"), with zod. Beyond field types this enforces the structural rules: `lexicon`
 * is 1, the id is an NSID, there is at least one def, primary types (record, query, procedure,
 * subscription, permission-set) are only declared as `main`, ref/union/unknown/params/permission
 * are never top-level defs, `required`/`nullable` name declared properties, `const` and `default`
 * exclude each other, and an empty union must be open. An object may omit `properties` (the
 * spec requires it, but the interop fixtures and the reference treat it as empty). The accepted input object is returned as
 * is (zod's output copy is discarded), so documents keep unknown fields.
 */
import { z } from 'zod'
import { isValidLanguage, isValidNsid } from '../syntax/index.ts'
import { LexiconDocError } from './errors.ts'
import type { LexiconDoc } from './types.ts'

const DEF_NAME_RE = /^[a-zA-Z][a-zA-Z0-9_]*$/
const PRIMARY_TYPES = new Set(['record', 'query', 'procedure', 'subscription', 'permission-set'])
const STRING_FORMATS = [
  'at-identifier',
  'at-uri',
  'cid',
  'datetime',
  'did',
  'handle',
  'language',
  'nsid',
  'record-key',
  'tid',
  'uri',
] as const

/** `nsid`, `nsid#name` or a local `#name`. */
export function isValidRef(ref: string): boolean {
  const hash = ref.indexOf('#')
  if (hash === -1) return isValidNsid(ref)
  return (hash === 0 || isValidNsid(ref.slice(0, hash))) && DEF_NAME_RE.test(ref.slice(hash + 1))
}

/** `type/subtype`, `type/*` or `*\/*`; partial globs and a bare `*` are not supported. */
function isMimePattern(s: string): boolean {
  return s === '*/*' || /^[a-zA-Z0-9!#$&^_.+-]+\/(?:\*|[a-zA-Z0-9!#$&^_.+-]+)$/.test(s)
}

function isRecordKeyType(s: string): boolean {
  return s === 'tid' || s === 'nsid' || s === 'any' || (s.startsWith('literal:') && s.length > 8)
}

const boundsOk = (min?: number, max?: number): boolean => min === undefined || max === undefined || min <= max
const noConstAndDefault = (d: { const?: unknown; default?: unknown }): boolean =>
  d.const === undefined || d.default === undefined

/** `required` and `nullable` may only name declared properties. */
function listedPropertiesExist(d: {
  properties?: object
  required?: string[]
  nullable?: string[]
}): boolean {
  const properties = d.properties ?? {}
  return [...(d.required ?? []), ...(d.nullable ?? [])].every((name) => Object.hasOwn(properties, name))
}
const LISTED_MESSAGE = 'required and nullable may only name declared properties'

/**
 * The schemas are built on the first parse, not at import: the built-in lexicons are loaded as
 * trusted (registry.ts), so a server start parses none, and building them is startup time.
 */
let documentSchema: ReturnType<typeof buildDocumentSchema> | undefined

function commonSchemas() {
  const description = z.string().optional()
  const size = z.int().nonnegative().optional()
  const refString = z.string().refine(isValidRef, 'must be an NSID, NSID#name or #name reference')
  return { description, size, refString }
}
type Common = ReturnType<typeof commonSchemas>

function scalarSchemas({ description, size }: Common) {
  const boolean = z
    .object({
      type: z.literal('boolean'),
      description,
      default: z.boolean().optional(),
      const: z.boolean().optional(),
    })
    .refine(noConstAndDefault, 'const and default are mutually exclusive')
  const integer = z
    .object({
      type: z.literal('integer'),
      description,
      default: z.int().optional(),
      const: z.int().optional(),
      enum: z.array(z.int()).optional(),
      minimum: z.int().optional(),
      maximum: z.int().optional(),
    })
    .refine(noConstAndDefault, 'const and default are mutually exclusive')
    .refine((d) => boundsOk(d.minimum, d.maximum), 'minimum must not exceed maximum')
  const string = z
    .object({
      type: z.literal('string'),
      description,
      format: z.enum(STRING_FORMATS).optional(),
      default: z.string().optional(),
      const: z.string().optional(),
      enum: z.array(z.string()).optional(),
      knownValues: z.array(z.string()).optional(),
      minLength: size,
      maxLength: size,
      minGraphemes: size,
      maxGraphemes: size,
    })
    .refine(noConstAndDefault, 'const and default are mutually exclusive')
    .refine((d) => boundsOk(d.minLength, d.maxLength), 'minLength must not exceed maxLength')
    .refine((d) => boundsOk(d.minGraphemes, d.maxGraphemes), 'minGraphemes must not exceed maxGraphemes')
  return { boolean, integer, string }
}
type Scalars = ReturnType<typeof scalarSchemas>

function leafSchemas({ description, size, refString }: Common) {
  const bytes = z
    .object({ type: z.literal('bytes'), description, minLength: size, maxLength: size })
    .refine((d) => boundsOk(d.minLength, d.maxLength), 'minLength must not exceed maxLength')
  const cidLink = z.object({ type: z.literal('cid-link'), description })
  const unknown = z.object({ type: z.literal('unknown'), description })
  const token = z.object({ type: z.literal('token'), description })
  const blob = z.object({
    type: z.literal('blob'),
    description,
    accept: z.array(z.string().refine(isMimePattern, 'must be a MIME type or a type/* pattern')).optional(),
    maxSize: size,
  })
  const ref = z.object({ type: z.literal('ref'), description, ref: refString })
  const union = z
    .object({
      type: z.literal('union'),
      description,
      refs: z.array(refString),
      closed: z.boolean().optional(),
    })
    .refine((d) => !(d.closed && d.refs.length === 0), 'a closed union needs at least one ref')
  return { bytes, cidLink, unknown, token, blob, ref, union }
}

function fieldSchemas(common: Common, { boolean, integer, string }: Scalars) {
  const { description, size } = common
  const leaves = leafSchemas(common)
  const { bytes, cidLink, blob, unknown, ref, union } = leaves
  const field: z.ZodType = z.lazy(() =>
    z.discriminatedUnion('type', [
      boolean,
      integer,
      string,
      bytes,
      cidLink,
      blob,
      unknown,
      ref,
      union,
      array,
      object,
    ]),
  )
  const array = z
    .object({ type: z.literal('array'), description, items: field, minLength: size, maxLength: size })
    .refine((d) => boundsOk(d.minLength, d.maxLength), 'minLength must not exceed maxLength')
  const object = z
    .object({
      type: z.literal('object'),
      description,
      properties: z.record(z.string(), field).optional(),
      required: z.array(z.string()).optional(),
      nullable: z.array(z.string()).optional(),
    })
    .refine(listedPropertiesExist, LISTED_MESSAGE)
  return { ...leaves, array, object }
}
type Fields = ReturnType<typeof fieldSchemas>

function paramsSchema({ description, size }: Common, { boolean, integer, string }: Scalars) {
  const paramScalar = z.discriminatedUnion('type', [boolean, integer, string])
  const paramArray = z
    .object({ type: z.literal('array'), description, items: paramScalar, minLength: size, maxLength: size })
    .refine((d) => boundsOk(d.minLength, d.maxLength), 'minLength must not exceed maxLength')
  return z
    .object({
      type: z.literal('params'),
      description,
      properties: z.record(z.string(), z.discriminatedUnion('type', [boolean, integer, string, paramArray])),
      required: z.array(z.string()).optional(),
    })
    .refine(listedPropertiesExist, LISTED_MESSAGE)
}

function primarySchemas(common: Common, scalars: Scalars, fields: Fields) {
  const { description } = common
  const { object, ref, union } = fields
  const params = paramsSchema(common, scalars)
  const body = z.object({
    description,
    encoding: z.string().min(1),
    schema: z.discriminatedUnion('type', [object, ref, union]).optional(),
  })
  const errors = z.array(z.object({ name: z.string().min(1), description })).optional()
  const query = z.object({
    type: z.literal('query'),
    description,
    parameters: params.optional(),
    output: body.optional(),
    errors,
  })
  const procedure = z.object({
    type: z.literal('procedure'),
    description,
    parameters: params.optional(),
    input: body.optional(),
    output: body.optional(),
    errors,
  })
  const subscription = z.object({
    type: z.literal('subscription'),
    description,
    parameters: params.optional(),
    message: z.object({ description, schema: union }),
    errors,
  })
  const record = z.object({
    type: z.literal('record'),
    description,
    key: z.string().refine(isRecordKeyType, 'must be tid, nsid, any or literal:<value>'),
    record: object,
  })
  return { query, procedure, subscription, record, permissionSet: permissionSetSchema(common) }
}

type Primaries = ReturnType<typeof primarySchemas>

function permissionSetSchema({ description }: Common) {
  const langMap = z
    .record(z.string(), z.string())
    .refine((m) => Object.keys(m).every(isValidLanguage), 'keys must be language tags')
    .optional()
  return z.object({
    type: z.literal('permission-set'),
    description,
    title: z.string().optional(),
    'title:lang': langMap,
    detail: z.string().optional(),
    'detail:lang': langMap,
    permissions: z.array(
      z.looseObject({ type: z.literal('permission'), description, resource: z.string().min(1) }),
    ),
  })
}

/** The definitions a lexicon may declare by name (ref, union, params and the like may not). */
function userDefSchema(scalars: Scalars, fields: Fields, primaries: Primaries) {
  const { record, query, procedure, subscription, permissionSet } = primaries
  const { token, object, array, bytes, cidLink, blob } = fields
  const { boolean, integer, string } = scalars
  return z.discriminatedUnion(
    'type',
    [
      record,
      query,
      procedure,
      subscription,
      permissionSet,
      token,
      object,
      array,
      boolean,
      integer,
      string,
      bytes,
      cidLink,
      blob,
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union' ? 'type is missing or may not be a named definition' : undefined,
    },
  )
}

function buildDocumentSchema() {
  const common = commonSchemas()
  const scalars = scalarSchemas(common)
  const fields = fieldSchemas(common, scalars)
  const userDef = userDefSchema(scalars, fields, primarySchemas(common, scalars, fields))
  return z
    .object({
      lexicon: z.literal(1),
      id: z.string().refine(isValidNsid, 'must be a valid NSID'),
      revision: z.int().nonnegative().optional(),
      description: common.description,
      defs: z.record(z.string().regex(DEF_NAME_RE, 'def names must be alphanumeric'), userDef),
    })
    .refine((d) => Object.keys(d.defs).length > 0, 'a lexicon needs at least one definition')
    .superRefine((d, ctx) => {
      for (const [name, def] of Object.entries(d.defs)) {
        if (name !== 'main' && PRIMARY_TYPES.has(def.type)) {
          ctx.addIssue({
            code: 'custom',
            path: ['defs', name],
            message: `a ${def.type} definition must be named main`,
          })
        }
      }
    })
}

/** Checks a parsed JSON document and returns it typed; throws LexiconDocError naming the problem. */
export function parseLexiconDoc(doc: unknown): LexiconDoc {
  documentSchema ??= buildDocumentSchema()
  const result = documentSchema.safeParse(doc)
  if (result.success) return doc as LexiconDoc
  const id = typeof (doc as { id?: unknown } | null)?.id === 'string' ? (doc as { id: string }).id : '(no id)'
  const problems = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('/') || '(document)'}: ${i.message}`)
  throw new LexiconDocError(`invalid lexicon document ${id}: ${problems.join('; ')}`)
}
