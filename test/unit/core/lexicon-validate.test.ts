// Behaviour of the lexicon validator beyond the interop fixtures: query parameter coercion,
// defaults, open and closed unions, blob constraints, string lengths, XRPC bodies.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cidForCbor, cidForRaw } from '../../../src/core/cid.ts'
import {
  graphemeLength,
  LexiconDocError,
  Lexicons,
  LexiconValidationError,
  loadBuiltinLexicons,
  utf8Length,
} from '../../../src/core/lexicon/index.ts'

const QUERY_DOC = JSON.parse(
  readFileSync(join(import.meta.dir, '../../fixtures/interop/lexicon/catalog/query.json'), 'utf8'),
) as unknown

const TEST_DOC = {
  lexicon: 1,
  id: 'com.example.test',
  defs: {
    main: {
      type: 'record',
      key: 'tid',
      record: {
        type: 'object',
        required: ['open'],
        nullable: ['maybe'],
        properties: {
          open: { type: 'union', refs: ['#a', 'com.example.other'] },
          closed: { type: 'union', refs: ['#a'], closed: true },
          image: { type: 'blob', accept: ['image/*', 'video/mp4'], maxSize: 1000 },
          file: { type: 'blob' },
          maybe: { type: 'string' },
          count: { type: 'integer', default: 5 },
          tok: { type: 'ref', ref: '#tok' },
          missing: { type: 'ref', ref: 'com.example.nowhere#x' },
          data: { type: 'unknown' },
        },
      },
    },
    a: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    tok: { type: 'token' },
  },
}
const OTHER_DOC = {
  lexicon: 1,
  id: 'com.example.other',
  defs: {
    main: { type: 'record', key: 'any', record: { type: 'object', properties: { s: { type: 'string' } } } },
  },
}

const lex = new Lexicons([QUERY_DOC, TEST_DOC, OTHER_DOC])
const builtin = loadBuiltinLexicons()
const blobCid = cidForRaw(new Uint8Array([1, 2, 3]))
const record = (fields: Record<string, unknown>) => ({
  $type: 'com.example.test',
  open: { $type: 'com.example.other' },
  ...fields,
})
const validate = (fields: Record<string, unknown>) => lex.validateRecord('com.example.test', record(fields))
const blob = (mimeType: string, size: number) => ({ $type: 'blob', ref: blobCid, mimeType, size })

describe('query parameters', () => {
  const params = (query: Record<string, string | string[]>) =>
    lex.validateParams('example.lexicon.query', query)

  test('are coerced from strings by their declared type', () => {
    expect(params({ stringField: 'x', integer: '-42', boolean: 'false', array: ['1', '2'] })).toEqual({
      stringField: 'x',
      integer: -42,
      boolean: false,
      array: [1, 2],
    })
    expect(params({ stringField: 'x', array: '7' })).toEqual({ stringField: 'x', array: [7] })
  })

  test('treat empty values as absent and drop undeclared ones', () => {
    expect(params({ stringField: 'x', integer: '', other: 'y' })).toEqual({ stringField: 'x' })
    expect(() => params({ stringField: '' })).toThrow('Params must have the property "stringField"')
  })

  test('reject malformed values naming the parameter', () => {
    expect(() => params({ stringField: 'x', integer: '12abc' })).toThrow('integer must be an integer')
    expect(() => params({ stringField: 'x', integer: '1.5' })).toThrow('integer must be an integer')
    expect(() => params({ stringField: 'x', integer: '99999999999999999999' })).toThrow(
      'integer must be an integer',
    )
    expect(() => params({ stringField: 'x', boolean: 'yes' })).toThrow('boolean must be a boolean')
    expect(() => params({ stringField: ['a', 'b'] })).toThrow('stringField must be given only once')
    expect(() => params({ stringField: 'x', array: ['1', 'two'] })).toThrow('array must be an integer')
    expect(() => params({ stringField: 'x', handle: 'not a handle' })).toThrow(
      'handle must be a valid handle',
    )
  })

  test('get defaults and limits from the lexicon', () => {
    const listRecords = (query: Record<string, string>) =>
      builtin.validateParams('com.atproto.repo.listRecords', query)
    expect(listRecords({ repo: 'alice.test', collection: 'app.bsky.feed.post' }).limit).toBe(50)
    expect(() => listRecords({ repo: 'alice.test', collection: 'app.bsky.feed.post', limit: '101' })).toThrow(
      'limit can not be greater than 100',
    )
  })

  test('fail for a method that is not loaded', () => {
    expect(() => lex.validateParams('com.example.nothing', {})).toThrow(LexiconDocError)
  })
})

describe('unions', () => {
  test('validate a listed variant against its schema', () => {
    expect(validate({ open: { $type: 'com.example.test#a', n: 1 } })).toEqual({ status: 'valid' })
    expect(() => validate({ open: { $type: 'com.example.test#a', n: 'one' } })).toThrow(
      'Record/open/n must be an integer',
    )
    expect(() => validate({ open: { $type: 'com.example.other', s: 5 } })).toThrow(
      'Record/open/s must be a string',
    )
    expect(validate({ open: { $type: 'com.example.other#main' } })).toEqual({ status: 'valid' })
  })

  test('open unions accept unlisted $types; closed ones do not', () => {
    expect(validate({ open: { $type: 'com.example.unlisted', anything: true } })).toEqual({ status: 'valid' })
    expect(validate({ closed: { $type: 'com.example.test#a', n: 1 } })).toEqual({ status: 'valid' })
    expect(() => validate({ closed: { $type: 'com.example.other' } })).toThrow(
      'Record/closed $type must be one of com.example.test#a',
    )
  })

  test('require $type on every variant', () => {
    expect(() => validate({ open: { n: 1 } })).toThrow(
      'Record/open must be an object which includes the "$type" property',
    )
  })
})

describe('blobs', () => {
  test('accept MIME patterns and enforce maxSize', () => {
    expect(validate({ image: blob('image/png', 1000) })).toEqual({ status: 'valid' })
    expect(validate({ image: blob('video/mp4', 1) })).toEqual({ status: 'valid' })
    expect(validate({ image: blob('IMAGE/JPEG; q=1', 1) })).toEqual({ status: 'valid' })
    expect(() => validate({ image: blob('text/plain', 1) })).toThrow(
      'Record/image mimeType must be one of image/*, video/mp4',
    )
    expect(() => validate({ image: blob('image/png', 1001) })).toThrow(
      'Record/image must not be larger than 1000 bytes',
    )
  })

  test('accept the legacy form but reject malformed refs', () => {
    expect(validate({ image: { cid: blobCid.toString(), mimeType: 'image/png' } })).toEqual({
      status: 'valid',
    })
    const bad = [
      { cid: 'nope', mimeType: 'image/png' },
      { ...blob('image/png', 1), extra: 1 },
      { ...blob('image/png', 1), ref: blobCid.toString() },
      blob('', 1),
      blob('text/plain', -1),
      blob('text/plain', 1.5),
    ]
    for (const file of bad) expect(() => validate({ file })).toThrow('Record/file must be a blob ref')
  })
})

describe('values', () => {
  test('integers must be safe integers', () => {
    expect(validate({ count: 2 })).toEqual({ status: 'valid' })
    expect(() => validate({ count: 1.5 })).toThrow('Record/count must be an integer')
    expect(() => validate({ count: 2 ** 53 })).toThrow('Record/count must be an integer')
  })

  test('null passes only nullable properties', () => {
    expect(validate({ maybe: null })).toEqual({ status: 'valid' })
    expect(() => validate({ count: null })).toThrow('Record/count must be an integer')
  })

  test('unknown takes any map but no compound value', () => {
    expect(validate({ data: { $type: 'com.example.whatever', x: [1] } })).toEqual({ status: 'valid' })
    for (const data of [
      blob('text/plain', 1),
      new Uint8Array(1),
      cidForCbor(new Uint8Array(1)),
      [],
      'x',
      { $link: 'x' },
    ]) {
      expect(() => validate({ data })).toThrow('Record/data must be an object')
    }
  })

  test('a ref to a token takes a string', () => {
    expect(validate({ tok: 'com.example.test#tok' })).toEqual({ status: 'valid' })
    expect(() => validate({ tok: 1 })).toThrow('Record/tok must be a string')
  })

  test('a ref to a missing definition is a document error', () => {
    expect(() => validate({ missing: {} })).toThrow(LexiconDocError)
  })
})

describe('records', () => {
  test('of unknown collections only need a matching $type', () => {
    expect(lex.validateRecord('com.example.unknown', { $type: 'com.example.unknown', x: 1.5 })).toEqual({
      status: 'unknown',
    })
    expect(() => lex.validateRecord('com.example.unknown', { $type: 'com.example.other' })).toThrow(
      'Record/$type must be com.example.unknown',
    )
    expect(() => lex.validateRecord('com.example.unknown', [])).toThrow('Record must be an object')
  })

  test('of a non-record lexicon are rejected', () => {
    expect(() => lex.validateRecord('example.lexicon.query', { $type: 'example.lexicon.query' })).toThrow(
      LexiconValidationError,
    )
  })

  test('count post text in graphemes and UTF-8 bytes', () => {
    const post = (text: string) => ({
      $type: 'app.bsky.feed.post',
      text,
      createdAt: '2024-01-01T00:00:00.000Z',
    })
    const family = '👨‍👩‍👧‍👦'
    expect(builtin.validateRecord('app.bsky.feed.post', post(family.repeat(120)))).toEqual({
      status: 'valid',
    })
    expect(() => builtin.validateRecord('app.bsky.feed.post', post('a'.repeat(301)))).toThrow(
      'Record/text must not be longer than 300 graphemes',
    )
    expect(() => builtin.validateRecord('app.bsky.feed.post', post(family.repeat(200)))).toThrow(
      'Record/text must not be longer than 3000 characters',
    )
  })
})

describe('XRPC bodies', () => {
  test('are validated against the method schema', () => {
    const input = { repo: 'alice.test', collection: 'app.bsky.feed.post', record: {} }
    expect(builtin.validateInput('com.atproto.repo.createRecord', input)).toBe(input)
    expect(() => builtin.validateInput('com.atproto.repo.createRecord', { repo: 'alice.test' })).toThrow(
      'Input must have the property "collection"',
    )
    expect(() => builtin.validateOutput('com.atproto.server.describeServer', [])).toThrow(
      'Output must be an object',
    )
  })

  test('get defaults on a copy, leaving the input untouched', () => {
    const input = { stringField: 'x' }
    const doc = {
      lexicon: 1,
      id: 'com.example.proc',
      defs: {
        main: {
          type: 'procedure',
          input: {
            encoding: 'application/json',
            schema: { type: 'object', properties: { n: { type: 'integer', default: 3 } } },
          },
        },
      },
    }
    const withDefault = new Lexicons([doc]).validateInput('com.example.proc', input)
    expect(withDefault).toEqual({ stringField: 'x', n: 3 })
    expect(input).toEqual({ stringField: 'x' })
  })

  test('methods and encodings come from the lexicon', () => {
    expect(builtin.getMethod('com.atproto.repo.createRecord')?.type).toBe('procedure')
    expect(builtin.getMethod('com.atproto.sync.subscribeRepos')?.type).toBe('subscription')
    expect(builtin.getMethod('app.bsky.feed.post')).toBeUndefined()
    expect(builtin.getInputEncoding('com.atproto.repo.uploadBlob')).toBe('*/*')
    expect(builtin.getOutputEncoding('com.atproto.sync.getRepo')).toBe('application/vnd.ipld.car')
    expect(builtin.getOutputEncoding('com.atproto.server.describeServer')).toBe('application/json')
    expect(builtin.getInputEncoding('com.atproto.server.describeServer')).toBeUndefined()
  })
})

describe('string lengths', () => {
  test('utf8Length matches an encoder, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a\u{10FFFF}b', '\ud800', '\udc00x', '\ud83d']) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length)
    }
  })

  test('graphemeLength counts clusters and CR LF as one', () => {
    expect(graphemeLength('abc')).toBe(3)
    expect(graphemeLength('a\r\nb\n\r')).toBe(5)
    expect(graphemeLength('\r\n\r\n')).toBe(2)
    expect(graphemeLength('e\u0301')).toBe(1)
    expect(graphemeLength('🇩🇪🏳️‍🌈')).toBe(2)
  })
})
