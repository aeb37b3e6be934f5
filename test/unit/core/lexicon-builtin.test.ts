// The vendored lexicons load without the document check (src/core/lexicon/builtin.ts), so this is
// where that check runs: every vendored document must pass it, the generated lexicons/index.ts
// must hold exactly the vendored files, and all of them must be loaded.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { LEXICON_DOCUMENTS } from '../../../lexicons/index.ts'
import {
  type LexiconDoc,
  LexiconDocError,
  Lexicons,
  LexiconValidationError,
  loadBuiltinLexicons,
  parseLexiconDoc,
} from '../../../src/core/lexicon/index.ts'

const LEXICONS_DIR = join(import.meta.dir, '../../../lexicons')

function vendoredFiles(): unknown[] {
  return ['com', 'app', 'chat'].flatMap((root) =>
    readdirSync(join(LEXICONS_DIR, root), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.json'))
      .map((path) => JSON.parse(readFileSync(join(LEXICONS_DIR, root, path), 'utf8')) as unknown),
  )
}

const byId = (a: unknown, b: unknown): number => {
  const [x, y] = [(a as { id: string }).id, (b as { id: string }).id]
  return x < y ? -1 : x > y ? 1 : 0
}

describe('vendored lexicon documents', () => {
  test('lexicons/index.ts holds exactly the vendored files (else run scripts/refresh-lexicons.ts)', () => {
    expect(vendoredFiles().sort(byId)).toEqual([...LEXICON_DOCUMENTS])
  })

  for (const doc of LEXICON_DOCUMENTS) {
    const id = (doc as { id: string }).id
    test(`${id} passes the document check`, () => {
      expect(parseLexiconDoc(doc).id).toBe(id)
    })
  }

  test('loadBuiltinLexicons holds every one of them, unchanged', () => {
    const lex = loadBuiltinLexicons()
    expect(lex.size).toBe(LEXICON_DOCUMENTS.length)
    expect([...lex.documents()]).toEqual([...LEXICON_DOCUMENTS] as LexiconDoc[])
  })
})

describe('Lexicons.fromTrusted', () => {
  const doc: LexiconDoc = {
    lexicon: 1,
    id: 'com.example.note',
    defs: {
      main: {
        type: 'record',
        key: 'tid',
        record: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
      },
    },
  }

  test('validates records against the documents it was given', () => {
    const lex = Lexicons.fromTrusted([doc])
    expect(lex.validateRecord('com.example.note', { $type: 'com.example.note', text: 'hi' })).toEqual({
      status: 'valid',
    })
    expect(() => lex.validateRecord('com.example.note', { $type: 'com.example.note' })).toThrow(
      LexiconValidationError,
    )
  })

  test('rejects a repeated id as LexiconDocError', () => {
    expect(() => Lexicons.fromTrusted([doc, { ...doc }])).toThrow(LexiconDocError)
  })
})
