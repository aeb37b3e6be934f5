import { describe, expect, test } from 'bun:test'
import * as dagCbor from '@ipld/dag-cbor'
import {
  CborError,
  decodeCbor,
  decodeCborFirst,
  encodeBlock,
  encodeCbor,
  MAX_CBOR_DEPTH,
} from '../../../src/core/cbor.ts'
import { CID, cidForCbor, parseCid } from '../../../src/core/cid.ts'

const cid = parseCid('bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a')
const rawCid = parseCid('bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity')
const hex = (s: string) => Uint8Array.fromHex(s.replaceAll(' ', ''))

const samples: Record<string, unknown> = {
  'small ints': [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER],
  'negative ints': [
    -1,
    -24,
    -25,
    -256,
    -257,
    -65536,
    -65537,
    -(2 ** 32),
    -(2 ** 32) - 1,
    Number.MIN_SAFE_INTEGER,
  ],
  strings: ['', 'a', 'x'.repeat(23), 'x'.repeat(24), 'y'.repeat(255), 'z'.repeat(256), 'w'.repeat(70_000)],
  unicode: ['héllo', '☎', '😀👨‍👩‍👧‍👧', 'ö'.repeat(100), `${'a'.repeat(200)}ö`, '\u0000nul'],
  bytes: [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)],
  links: { a: cid, b: [rawCid, cid] },
  specials: [true, false, null],
  'key order': { aa: 1, b: 2, a: 3, ba: 4, '': 5, é: 6, z: 7, zz: 8, ä: 9, '😀': 10 },
  'many keys': Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7919) % 97}`, i])),
  nested: { a: [{ b: { c: [[], {}, [null]] } }], $type: 'com.example.thing' },
  post: {
    $type: 'app.bsky.feed.post',
    text: 'Hello world, this is a post with some text that is not very long.',
    createdAt: '2024-05-01T12:34:56.789Z',
    langs: ['en'],
    embed: { $type: 'blob', ref: rawCid, mimeType: 'image/jpeg', size: 10000 },
  },
}

describe('encodeCbor', () => {
  for (const [name, value] of Object.entries(samples)) {
    test(`encodes ${name} byte-identically to @ipld/dag-cbor`, () => {
      expect(Buffer.from(encodeCbor(value)).toString('hex')).toBe(
        Buffer.from(dagCbor.encode(value)).toString('hex'),
      )
    })
  }

  test('encodes CIDs from another multiformats copy by their bytes', () => {
    const foreign = { '/': cid.bytes, bytes: cid.bytes, version: 1, code: cid.code, multihash: cid.multihash }
    Object.setPrototypeOf(foreign, { constructor: class ForeignCid {} })
    expect(encodeCbor({ a: foreign })).toEqual(encodeCbor({ a: cid }))
  })

  test('encodes identical values to identical bytes across calls (scratch buffer reuse)', () => {
    const first = encodeCbor(samples.post)
    encodeCbor({ big: 'q'.repeat(2_000_000) })
    expect(encodeCbor(samples.post)).toEqual(first)
  })

  const rejected: [string, unknown][] = [
    ['a float', 1.5],
    ['a float inside a record', { a: [0.1] }],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an integer beyond the safe range', 2 ** 53],
    ['a negative integer beyond the safe range', -(2 ** 53)],
    ['a bigint', 5n],
    ['undefined at the top', undefined],
    ['an undefined map value', { a: undefined }],
    ['an undefined array item', [1, undefined]],
    ['a Date', new Date(0)],
    ['a Map', new Map([['a', 1]])],
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    ['a string with a lone surrogate', 'a\ud800b'],
    ['a map key with a lone surrogate', { '\udc00': 1 }],
  ]
  for (const [name, value] of rejected) {
    test(`rejects ${name} with CborError`, () => {
      expect(() => encodeCbor(value)).toThrow(CborError)
    })
  }

  test('rejects nesting deeper than MAX_CBOR_DEPTH and cyclic values', () => {
    let deep: unknown = 1
    for (let i = 0; i <= MAX_CBOR_DEPTH; i++) deep = [deep]
    expect(() => encodeCbor(deep)).toThrow(CborError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => encodeCbor(cyclic)).toThrow(CborError)
  })

  test('encodeBlock returns the bytes with their dag-cbor CID', () => {
    const { cid: blockCid, bytes } = encodeBlock(samples.post)
    expect(blockCid.equals(cidForCbor(bytes))).toBe(true)
    expect(blockCid.code).toBe(0x71)
  })
})

describe('decodeCbor', () => {
  for (const [name, value] of Object.entries(samples)) {
    test(`round-trips ${name}`, () => {
      const bytes = dagCbor.encode(value)
      const decoded = decodeCbor(bytes)
      expect(decoded).toEqual(dagCbor.decode(bytes))
      expect(encodeCbor(decoded)).toEqual(bytes)
    })
  }

  test('decodes links as CID instances and bytes as Uint8Array views', () => {
    const decoded = decodeCbor<{ a: CID; b: Uint8Array }>(encodeCbor({ a: cid, b: new Uint8Array([9]) }))
    expect(decoded.a).toBeInstanceOf(CID)
    expect(decoded.a.equals(cid)).toBe(true)
    expect(decoded.b).toEqual(new Uint8Array([9]))
  })

  test('keeps a "__proto__" key as an own property', () => {
    const decoded = decodeCbor<Record<string, unknown>>(hex('a1 69 5f5f70726f746f5f5f 01'))
    expect(Object.keys(decoded)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
  })

  test('decodeCborFirst returns the value and the unread remainder', () => {
    const [value, rest] = decodeCborFirst(hex('a1 6161 01 02 03'))
    expect(value).toEqual({ a: 1 })
    expect(rest).toEqual(new Uint8Array([2, 3]))
  })

  const invalid: [string, string][] = [
    ['a half float', 'f9 3c00'],
    ['a single float', 'fa 3fc00000'],
    ['a double float', 'fb 3ff8000000000000'],
    ['an integer-valued float', 'fb 4000000000000000'],
    ['undefined', 'f7'],
    ['a one-byte simple value', 'f8 20'],
    ['a small simple value', 'e0'],
    ['a lone break', 'ff'],
    ['an indefinite array', '9f 01 ff'],
    ['an indefinite map', 'bf 6161 01 ff'],
    ['an indefinite text string', '7f 6161 ff'],
    ['an indefinite byte string', '5f 4101 ff'],
    ['a non-minimal uint8', '18 17'],
    ['a non-minimal uint16', '19 00ff'],
    ['a non-minimal uint32', '1a 0000ffff'],
    ['a non-minimal uint64', '1b 00000000ffffffff'],
    ['a non-minimal length', '78 01 61'],
    ['an integer beyond the safe range', '1b 0020000000000000'],
    ['a negative integer beyond the safe range', '3b 001fffffffffffff'],
    ['reserved additional info', '1c'],
    ['unsorted map keys', 'a2 6162 01 6161 02'],
    ['longer key before shorter key', 'a2 626161 01 6162 02'],
    ['duplicate map keys', 'a2 6161 01 6161 02'],
    ['a non-string map key', 'a1 01 02'],
    ['a tag other than 42', 'c1 01'],
    ['tag 42 around a text string', 'd82a 6161'],
    ['tag 42 without the 0x00 prefix', `d82a 5824 ${Buffer.from(cid.bytes).toString('hex')}`],
    ['tag 42 with garbage', 'd82a 43 000102'],
    ['invalid UTF-8', '62 c328'],
    ['a truncated string', '65 6162'],
    ['a truncated map', 'a2 6161 01'],
    ['a truncated array', '83 01 02'],
    ['an impossible array length', '9a ffffffff'],
    ['trailing bytes', '01 02'],
    ['empty input', ''],
  ]
  for (const [name, bytes] of invalid) {
    test(`rejects ${name} with CborError`, () => {
      expect(() => decodeCbor(hex(bytes))).toThrow(CborError)
    })
  }

  test('rejects nesting deeper than MAX_CBOR_DEPTH', () => {
    const bytes = new Uint8Array(MAX_CBOR_DEPTH + 2).fill(0x81)
    bytes[bytes.length - 1] = 0x01
    expect(() => decodeCbor(bytes)).toThrow(CborError)
    expect(decodeCbor(bytes.subarray(2))).toBeArray()
  })
})

describe('differential fuzzing against @ipld/dag-cbor', () => {
  // A small deterministic PRNG so a failure reproduces.
  let seed = 0x2545f491
  const rand = (n: number) => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % n
  }
  const alphabet = ['a', 'b', 'z', 'é', 'ö', '☎', '😀', '$', ' ']
  const randString = () => Array.from({ length: rand(30) }, () => alphabet[rand(alphabet.length)]).join('')
  const randValue = (depth: number): unknown => {
    const kind = rand(depth > 3 ? 6 : 9)
    if (kind === 0) return rand(2) === 0 ? rand(1000) : -rand(2 ** 31) * 4099
    if (kind === 1) return randString()
    if (kind === 2) return rand(2) === 0
    if (kind === 3) return null
    if (kind === 4) return new Uint8Array(rand(40)).fill(rand(256))
    if (kind === 5) return rand(2) === 0 ? cid : rawCid
    if (kind === 6) return Array.from({ length: rand(5) }, () => randValue(depth + 1))
    return Object.fromEntries(Array.from({ length: rand(6) }, () => [randString(), randValue(depth + 1)]))
  }

  test('500 random values encode identically and decode back to themselves', () => {
    for (let i = 0; i < 500; i++) {
      const value = randValue(0)
      const ours = encodeCbor(value)
      expect(ours).toEqual(dagCbor.encode(value))
      expect(decodeCbor(ours)).toEqual(dagCbor.decode(ours))
    }
  })
})
