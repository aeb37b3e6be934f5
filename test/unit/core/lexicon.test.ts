// The interop lexicon fixtures (document validity, record data against the catalog schemas) and
// the vendored lexicons: all load, and every reference in them resolves.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import {
  type LexField,
  type LexiconDoc,
  LexiconDocError,
  Lexicons,
  LexiconValidationError,
  loadBuiltinLexicons,
} from '../../../src/core/lexicon/index.ts'

const FIXTURES = join(import.meta.dir, '../../fixtures/interop/lexicon')

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T
}

/** The fixtures are JSON; validation works on data-model values (CIDs, bytes). */
function jsonToData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonToData)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  const [only] = entries
  if (entries.length === 1 && only?.[0] === '$link' && typeof only[1] === 'string') return CID.parse(only[1])
  if (entries.length === 1 && only?.[0] === '$bytes' && typeof only[1] === 'string') {
    return new Uint8Array(Buffer.from(only[1], 'base64'))
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, jsonToData(v)]))
}

function validationError(run: () => unknown): LexiconValidationError | undefined {
  try {
    run()
    return undefined
  } catch (err) {
    if (err instanceof LexiconValidationError) return err
    throw err
  }
}

interface DocCase {
  name: string
  lexicon: unknown
}
interface DataCase {
  name: string
  rkey: string
  data: { $type: string }
}

describe('lexicon document fixtures', () => {
  for (const c of readJson<DocCase[]>('lexicon-valid.json')) {
    test(`accepts "${c.name}"`, () => {
      expect(new Lexicons().add(c.lexicon).defs).toBeDefined()
    })
  }

  for (const c of readJson<DocCase[]>('lexicon-invalid.json')) {
    test(`rejects "${c.name}"`, () => {
      expect(() => new Lexicons().add(c.lexicon)).toThrow(LexiconDocError)
    })
  }

  test('a primary type outside main is named in the error', () => {
    const [nonMain] = readJson<DocCase[]>('lexicon-invalid.json').filter((c) => c.name === 'non-main primary')
    expect(() => new Lexicons().add(nonMain?.lexicon)).toThrow(
      'defs/demo: a record definition must be named main',
    )
  })

  test('the same id cannot be added twice', () => {
    const lex = new Lexicons()
    const doc = { lexicon: 1, id: 'com.example.thing', defs: { main: { type: 'token' } } }
    lex.add(doc)
    expect(() => lex.add(doc)).toThrow('lexicon com.example.thing is already loaded')
  })
})

describe('record data fixtures', () => {
  const catalog = new Lexicons(
    readdirSync(join(FIXTURES, 'catalog')).map((f) => readJson(join('catalog', f))),
  )

  test('the catalog loads all its documents', () => {
    expect(catalog.size).toBe(5)
  })

  for (const c of readJson<DataCase[]>('record-data-valid.json')) {
    test(`accepts "${c.name}"`, () => {
      expect(catalog.validateRecord(c.data.$type, jsonToData(c.data))).toEqual({ status: 'valid' })
      expect(catalog.recordKeyType(c.data.$type)).toBe(`literal:${c.rkey}`)
    })
  }

  for (const c of readJson<DataCase[]>('record-data-invalid.json')) {
    test(`rejects "${c.name}"`, () => {
      const err = validationError(() => catalog.validateRecord(c.data.$type, jsonToData(c.data)))
      expect(err?.message).toStartWith('Record')
    })
  }
})

describe('vendored lexicons', () => {
  const lex = loadBuiltinLexicons()

  test('all load', () => {
    expect(lex.size).toBeGreaterThan(300)
    expect(lex.has('com.atproto.repo.createRecord')).toBe(true)
    expect(lex.has('app.bsky.feed.post')).toBe(true)
    expect(lex.has('chat.bsky.convo.sendMessage')).toBe(true)
    expect(lex.has('tools.ozone.moderation.emitEvent')).toBe(false)
  })

  test('every ref and union member resolves to a definition', () => {
    const missing: string[] = []
    for (const doc of lex.documents()) {
      for (const ref of refsIn(doc)) {
        const absolute = ref.startsWith('#') ? `${doc.id}${ref}` : ref
        if (lex.getDef(absolute) === undefined) missing.push(`${doc.id} -> ${ref}`)
      }
    }
    expect(missing).toEqual([])
  })

  test('every record type and method compiles; bodies must be objects', () => {
    let checked = 0
    for (const doc of lex.documents()) {
      const main = doc.defs.main
      if (main?.type === 'record') {
        // An empty record is valid or fails on data; a LexiconDocError would escape and fail the test.
        validationError(() => lex.validateRecord(doc.id, { $type: doc.id }))
        checked++
      } else if (main?.type === 'query' || main?.type === 'procedure') {
        validationError(() => lex.validateParams(doc.id, {}))
        if (main.output?.schema) expect(validationError(() => lex.validateOutput(doc.id, 'x'))).toBeDefined()
        if (main.type === 'procedure' && main.input?.schema) {
          expect(validationError(() => lex.validateInput(doc.id, []))).toBeDefined()
        }
        checked++
      }
    }
    expect(checked).toBeGreaterThan(250)
  })
})

function refsIn(doc: LexiconDoc): string[] {
  const refs: string[] = []
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    const field = node as LexField
    if (field.type === 'ref') refs.push(field.ref)
    if (field.type === 'union') refs.push(...field.refs)
    for (const child of Object.values(node)) visit(child)
  }
  visit(doc.defs)
  return refs
}
