/**
 * A set of Lexicon documents and the validators derived from them (spec: lexicon.md). Documents
 * are checked when added, except through `fromTrusted` (the vendored set, which the tests check);
 * validators are compiled on first use per record type or method and kept, so validating a post
 * costs one pass over the post. References are `nsid` (the main def), `nsid#name`, or `#name`
 * within the referring document.
 */
import { LexiconDocError } from './errors.ts'
import { parseLexiconDoc } from './schema.ts'
import type { LexiconDoc, LexProcedure, LexQuery, LexSubscription, LexUserDef } from './types.ts'
import { type ResolvedDef, ValidatorCompiler } from './validate-value.ts'
import {
  type BodyValidator,
  compileBody,
  compileParams,
  type ParamsValidator,
  type QueryParams,
} from './validate-xrpc.ts'
import { fail, isPlainObject } from './validator.ts'

export type LexMethodInfo =
  | { type: 'query'; def: LexQuery }
  | { type: 'procedure'; def: LexProcedure }
  | { type: 'subscription'; def: LexSubscription }

export interface RecordValidationResult {
  /** `unknown`: no schema is loaded for the collection, so only the `$type` was checked. */
  status: 'valid' | 'unknown'
}

interface CompiledMethod {
  params: ParamsValidator
  input?: BodyValidator
  output?: BodyValidator
}

export class Lexicons {
  private readonly docs = new Map<string, LexiconDoc>()
  private readonly compiler = new ValidatorCompiler((ref, docId) => this.resolveRef(ref, docId))
  private readonly methods = new Map<string, CompiledMethod>()

  constructor(docs: Iterable<unknown> = []) {
    for (const doc of docs) this.add(doc)
  }

  /**
   * A registry of documents already known to be valid, added without the document check (which
   * takes tens of milliseconds for the vendored set, at every start). Only for documents a test
   * checks with parseLexiconDoc; throws LexiconDocError on a repeated id.
   */
  static fromTrusted(docs: Iterable<LexiconDoc>): Lexicons {
    const lexicons = new Lexicons()
    for (const doc of docs) lexicons.insert(doc)
    return lexicons
  }

  /** Checks and adds a document; throws LexiconDocError if it is malformed or already loaded. */
  add(doc: unknown): LexiconDoc {
    return this.insert(parseLexiconDoc(doc))
  }

  has(nsid: string): boolean {
    return this.docs.has(nsid)
  }

  get size(): number {
    return this.docs.size
  }

  documents(): IterableIterator<LexiconDoc> {
    return this.docs.values()
  }

  /** The definition a global reference (`nsid` or `nsid#name`) names. */
  getDef(ref: string): LexUserDef | undefined {
    const hash = ref.indexOf('#')
    const nsid = hash === -1 ? ref : ref.slice(0, hash)
    const name = hash === -1 ? 'main' : ref.slice(hash + 1)
    return this.docs.get(nsid)?.defs[name]
  }

  getMethod(nsid: string): LexMethodInfo | undefined {
    const def = this.docs.get(nsid)?.defs.main
    switch (def?.type) {
      case 'query':
        return { type: 'query', def }
      case 'procedure':
        return { type: 'procedure', def }
      case 'subscription':
        return { type: 'subscription', def }
      default:
        return undefined
    }
  }

  /** The record key type (`tid`, `nsid`, `any`, `literal:…`) of a known record collection. */
  recordKeyType(collection: string): string | undefined {
    const def = this.docs.get(collection)?.defs.main
    return def?.type === 'record' ? def.key : undefined
  }

  /**
   * Validates a record of `collection`. The value must be an object whose `$type` is the
   * collection either way; without a loaded schema the result is `unknown`, otherwise the record
   * is validated in full. Throws LexiconValidationError.
   */
  validateRecord(collection: string, value: unknown): RecordValidationResult {
    if (!isPlainObject(value)) throw fail('Record', 'must be an object')
    if (value.$type !== collection) throw fail('Record/$type', `must be ${collection}`)
    const def = this.docs.get(collection)?.defs.main
    if (def === undefined) return { status: 'unknown' }
    if (def.type !== 'record')
      throw fail('Record/$type', `must name a record type (${collection} is a ${def.type})`)
    this.compiler.field(def.record, collection)(value, 'Record')
    return { status: 'valid' }
  }

  /** Coerces and validates query parameters; returns only declared ones, defaults applied. */
  validateParams(nsid: string, query: QueryParams): Record<string, unknown> {
    return this.compiledMethod(nsid).params(query)
  }

  /** Validates a JSON request body; returns it, or a copy with defaults filled in. */
  validateInput(nsid: string, body: unknown): unknown {
    const validate = this.compiledMethod(nsid).input
    return validate ? validate(body) : body
  }

  /** Validates a JSON response body; returns it, or a copy with defaults filled in. */
  validateOutput(nsid: string, body: unknown): unknown {
    const validate = this.compiledMethod(nsid).output
    return validate ? validate(body) : body
  }

  getInputEncoding(nsid: string): string | undefined {
    const method = this.getMethod(nsid)
    return method?.type === 'procedure' ? method.def.input?.encoding : undefined
  }

  getOutputEncoding(nsid: string): string | undefined {
    const method = this.getMethod(nsid)
    return method && method.type !== 'subscription' ? method.def.output?.encoding : undefined
  }

  private insert(doc: LexiconDoc): LexiconDoc {
    if (this.docs.has(doc.id)) throw new LexiconDocError(`lexicon ${doc.id} is already loaded`)
    this.docs.set(doc.id, doc)
    return doc
  }

  private compiledMethod(nsid: string): CompiledMethod {
    const cached = this.methods.get(nsid)
    if (cached) return cached
    const method = this.getMethod(nsid)
    if (method === undefined)
      throw new LexiconDocError(`no query, procedure or subscription ${nsid} is loaded`)
    const { def } = method
    const compiled: CompiledMethod = {
      params: compileParams(def.parameters, this.compiler, nsid),
      input: def.type === 'procedure' ? compileBody(def.input, this.compiler, nsid, 'Input') : undefined,
      output:
        def.type === 'subscription' ? undefined : compileBody(def.output, this.compiler, nsid, 'Output'),
    }
    this.methods.set(nsid, compiled)
    return compiled
  }

  private resolveRef(ref: string, docId: string): ResolvedDef {
    const absolute = ref.startsWith('#') ? `${docId}${ref}` : ref
    const uri = absolute.endsWith('#main') ? absolute.slice(0, -5) : absolute
    const def = this.getDef(uri)
    if (def === undefined) throw new LexiconDocError(`${uri} (referenced from ${docId}) is not loaded`)
    const hash = uri.indexOf('#')
    return { def, docId: hash === -1 ? uri : uri.slice(0, hash), uri }
  }
}
