import { describe, expect, test } from 'bun:test'
import { createBlobRef, findBlobRefs, isBlobRef, isLegacyBlobRef } from '../../../src/core/blob-ref.ts'
import { decodeCbor, encodeCbor } from '../../../src/core/cbor.ts'
import { CID, cidForCbor, parseCid } from '../../../src/core/cid.ts'
import { DataModelError, jsonToLex, jsonToLexMap, lexToJson } from '../../../src/core/data-model.ts'
import fixtures from '../../fixtures/interop/data-model/data-model-fixtures.json'
import invalidFixtures from '../../fixtures/interop/data-model/data-model-invalid.json'
import validFixtures from '../../fixtures/interop/data-model/data-model-valid.json'

const blobCid = parseCid('bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity')
const linkCid = parseCid('bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a')

describe('data-model fixtures (JSON ⇄ DRISL)', () => {
  fixtures.forEach((f, i) => {
    test(`fixture ${i}: JSON encodes to the expected bytes and CID`, () => {
      const bytes = encodeCbor(jsonToLex(f.json))
      expect(bytes.toBase64({ omitPadding: true })).toBe(f.cbor_base64)
      expect(cidForCbor(bytes).toString()).toBe(f.cid)
    })

    test(`fixture ${i}: the bytes decode back to the same JSON`, () => {
      expect(lexToJson(decodeCbor(Uint8Array.fromBase64(f.cbor_base64)))).toEqual(f.json)
    })
  })
})

describe('data-model-valid fixtures', () => {
  for (const f of validFixtures) {
    test(`accepts: ${f.note}`, () => {
      const value = jsonToLexMap(f.json)
      expect(decodeCbor(encodeCbor(value))).toEqual(value)
    })
  }
})

describe('data-model-invalid fixtures', () => {
  for (const f of invalidFixtures) {
    test(`rejects: ${f.note}`, () => {
      expect(() => jsonToLexMap(f.json)).toThrow(DataModelError)
    })
  }
})

describe('jsonToLex', () => {
  test('turns $link into CID, $bytes into bytes and keeps blob refs as plain objects', () => {
    const value = jsonToLex({
      a: { $link: linkCid.toString() },
      b: { $bytes: 'AQID' },
      c: { $type: 'blob', ref: { $link: blobCid.toString() }, mimeType: 'image/png', size: 5 },
    }) as Record<string, unknown>
    expect(value.a).toBeInstanceOf(CID)
    expect(value.b).toEqual(new Uint8Array([1, 2, 3]))
    expect(value.c).toEqual(createBlobRef(blobCid, 'image/png', 5))
  })

  test('accepts padded and unpadded base64', () => {
    expect(jsonToLex({ $bytes: 'AQI=' })).toEqual(new Uint8Array([1, 2]))
    expect(jsonToLex({ $bytes: 'AQI' })).toEqual(new Uint8Array([1, 2]))
  })

  const rejected: [string, unknown][] = [
    ['URL-safe base64', { $bytes: 'a-_b' }],
    ['base64 with whitespace', { $bytes: 'AQ ID' }],
    ['a non-integer', { a: 0.5 }],
    ['an unsafe integer', { a: 2 ** 60 }],
    [
      'a blob with size zero',
      { $type: 'blob', ref: { $link: blobCid.toString() }, mimeType: 'a/b', size: 0 },
    ],
    [
      'a blob with an empty mimeType',
      { $type: 'blob', ref: { $link: blobCid.toString() }, mimeType: '', size: 1 },
    ],
    ['a blob whose ref is a string', { $type: 'blob', ref: blobCid.toString(), mimeType: 'a/b', size: 1 }],
    [
      'a blob with extra fields',
      { $type: 'blob', ref: { $link: blobCid.toString() }, mimeType: 'a/b', size: 1, x: 1 },
    ],
    ['nesting deeper than the CBOR limit', JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`)],
    ['a Date', new Date(0)],
    ['a string with a lone surrogate', JSON.parse('{"a": "x\\ud800"}')],
    ['a key with a lone surrogate', JSON.parse('{"\\udc00": 1}')],
  ]
  for (const [name, json] of rejected) {
    test(`rejects ${name}`, () => {
      expect(() => jsonToLex(json)).toThrow(DataModelError)
    })
  }

  test('keeps a "__proto__" key as data', () => {
    const value = jsonToLex(JSON.parse('{"__proto__": {"a": 1}}')) as Record<string, unknown>
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
  })
})

describe('lexToJson', () => {
  test('writes $bytes without padding and $link as base32 strings', () => {
    expect(lexToJson({ b: new Uint8Array([1, 2]), l: linkCid })).toEqual({
      b: { $bytes: 'AQI' },
      l: { $link: linkCid.toString() },
    })
  })

  test('drops undefined fields', () => {
    expect(lexToJson({ a: 1, b: undefined })).toEqual({ a: 1 })
  })
})

describe('blob refs', () => {
  const typed = createBlobRef(blobCid, 'image/jpeg', 10_000)
  const legacy = { cid: blobCid.toString(), mimeType: 'image/jpeg' }

  test('recognises typed and legacy refs by shape', () => {
    expect(isBlobRef(typed)).toBe(true)
    expect(isBlobRef({ ...typed, size: -1 })).toBe(false)
    expect(isLegacyBlobRef(legacy)).toBe(true)
    expect(isLegacyBlobRef({ ...legacy, extra: 1 })).toBe(false)
    expect(isLegacyBlobRef({ cid: 'not a cid', mimeType: 'image/jpeg' })).toBe(false)
  })

  test('a typed blob ref encodes exactly like the fixture blob', () => {
    const json = (fixtures[1]!.json as { c: unknown }).c
    expect(encodeCbor(typed)).toEqual(encodeCbor(jsonToLex(json)))
  })

  test('findBlobRefs collects typed and legacy refs anywhere in a record', () => {
    const record = jsonToLexMap({
      $type: 'app.bsky.feed.post',
      embed: { images: [{ image: lexToJson(typed) }, { image: legacy }] },
      link: { $link: linkCid.toString() },
    })
    expect(findBlobRefs(record)).toEqual([
      { cid: blobCid, mimeType: 'image/jpeg', size: 10_000 },
      { cid: blobCid, mimeType: 'image/jpeg', size: null },
    ])
  })
})
