// Every line of the interop syntax fixtures against our validators and parsers, plus the helpers
// around them (normalization, servable handles, AT URI parts, TID encoding, record key types).
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  type AtIdentifier,
  AtUri,
  DISALLOWED_TLDS,
  formatAtUri,
  type Handle,
  INVALID_HANDLE,
  InvalidSyntaxError,
  isDidPlc,
  isDidWeb,
  isServableHandle,
  isValidAtIdentifier,
  isValidAtUri,
  isValidCidString,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  isValidUri,
  matchesRecordKeyType,
  type Nsid,
  normalizeHandle,
  parseAtIdentifier,
  parseAtUri,
  parseCidString,
  parseDatetime,
  parseDid,
  parseHandle,
  parseLanguage,
  parseNsid,
  parseRecordKey,
  parseTid,
  parseUri,
  type RecordKey,
  toDatetime,
} from '../../../src/core/syntax/index.ts'

const FIXTURES = join(import.meta.dir, '../../fixtures/interop/syntax')

type Checker = {
  kind: InvalidSyntaxError['kind']
  isValid: (s: string) => boolean
  parse: (s: string) => unknown
}

const CHECKERS: Record<string, Checker> = {
  atidentifier: { kind: 'at-identifier', isValid: isValidAtIdentifier, parse: parseAtIdentifier },
  aturi: { kind: 'at-uri', isValid: isValidAtUri, parse: parseAtUri },
  cid: { kind: 'cid', isValid: isValidCidString, parse: parseCidSyntaxOnly },
  datetime: { kind: 'datetime', isValid: isValidDatetime, parse: parseDatetime },
  did: { kind: 'did', isValid: isValidDid, parse: parseDid },
  handle: { kind: 'handle', isValid: isValidHandle, parse: parseHandle },
  language: { kind: 'language', isValid: isValidLanguage, parse: parseLanguage },
  nsid: { kind: 'nsid', isValid: isValidNsid, parse: parseNsid },
  recordkey: { kind: 'record-key', isValid: isValidRecordKey, parse: parseRecordKey },
  tid: { kind: 'tid', isValid: isValidTid, parse: parseTid },
  uri: { kind: 'uri', isValid: isValidUri, parse: parseUri },
}

/** The cid fixtures test syntax only; several valid lines are not decodable CIDs. */
function parseCidSyntaxOnly(s: string): string {
  if (isValidCidString(s)) return s
  return parseCidString(s).toString()
}

/** Fixture lines, verbatim: leading and trailing spaces are part of several test values. */
function fixtureLines(file: string): string[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
}

function parseError(checker: Checker, input: string): InvalidSyntaxError | undefined {
  try {
    checker.parse(input)
    return undefined
  } catch (err) {
    if (err instanceof InvalidSyntaxError) return err
    throw err
  }
}

describe('interop syntax fixtures', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'))

  test('cover every identifier kind', () => {
    const kinds = new Set(files.map((f) => f.split('_')[0]))
    expect([...kinds].sort()).toEqual(Object.keys(CHECKERS).sort())
  })

  for (const file of files) {
    const [kindName = '', , verdict] = file.replace('.txt', '').split('_')
    const checker = CHECKERS[kindName]
    if (!checker) throw new Error(`no checker for ${file}`)
    const expectValid = verdict === 'valid'
    const lines = fixtureLines(file)

    test(`${file}: ${lines.length} lines are ${expectValid ? 'accepted' : 'rejected'}`, () => {
      expect(lines.length).toBeGreaterThan(0)
      const wrongVerdict = lines.filter((line) => checker.isValid(line) !== expectValid)
      expect(wrongVerdict).toEqual([])
      const wrongParse = lines.filter((line) => {
        const err = parseError(checker, line)
        return expectValid ? err !== undefined : err?.kind !== checker.kind
      })
      expect(wrongParse).toEqual([])
    })
  }
})

describe('parse errors', () => {
  test('name the identifier kind and what is wrong', () => {
    expect(() => parseHandle('john..test')).toThrow(
      'invalid handle "john..test": must not contain an empty label',
    )
    expect(() => parseDid('did:METHOD:val')).toThrow('the method must be one or more lower-case letters')
    expect(() => parseNsid('com.example.3')).toThrow('the name must be 1-63 letters and digits')
    expect(() => parseDatetime('1985-02-30T00:00:00Z')).toThrow('the day does not exist in that month')
    expect(() => parseAtUri('at://did:plc:asdf123/')).toThrow('trailing slash')
    expect(() => parseLanguage('en-a-foo-a-bar')).toThrow('repeats the extension singleton "a"')
    expect(() => parseTid('3jzf-cij-pj2z-2a')).toThrow('must be exactly 13 characters')
  })

  test('bound the quoted input', () => {
    const err = parseError(CHECKERS.did as Checker, `did:${'x'.repeat(5000)}`)
    expect(err?.message.length).toBeLessThan(200)
  })

  test('at-identifier errors keep the underlying problem', () => {
    expect(() => parseAtIdentifier('john.0')).toThrow(
      'invalid at-identifier "john.0": not a valid handle: the top-level domain must not start with a digit',
    )
  })
})

describe('handles', () => {
  test('normalize by lower-casing ASCII only', () => {
    expect(normalizeHandle('XX.LCS.MIT.EDU')).toBe('xx.lcs.mit.edu')
    expect(normalizeHandle('\u212A.test')).toBe('\u212A.test')
    expect(parseHandle('Alice.Example.COM')).toBe('alice.example.com' as Handle)
  })

  test('reserved TLDs are valid syntax but not servable', () => {
    for (const tld of DISALLOWED_TLDS) {
      expect(isValidHandle(`name${tld}`)).toBe(true)
      expect(isServableHandle(`name${tld}`)).toBe(false)
      expect(isServableHandle(`NAME${tld.toUpperCase()}`)).toBe(false)
    }
    expect(isServableHandle(INVALID_HANDLE)).toBe(false)
    expect(isServableHandle('alice.test')).toBe(true)
    expect(isServableHandle('localhost')).toBe(false)
  })

  test('at-identifier parsing normalizes handles and keeps DIDs', () => {
    expect(parseAtIdentifier('Alice.Test')).toBe('alice.test' as AtIdentifier)
    expect(parseAtIdentifier('did:plc:ewvi7nxzyoun6zhxrhs64oiz')).toBe(
      'did:plc:ewvi7nxzyoun6zhxrhs64oiz' as AtIdentifier,
    )
  })
})

describe('DIDs', () => {
  test('recognize the blessed methods', () => {
    expect(isDidPlc('did:plc:ewvi7nxzyoun6zhxrhs64oiz')).toBe(true)
    expect(isDidPlc('did:plc:ewvi7nxzyoun6zhxrhs64oi')).toBe(false)
    expect(isDidPlc('did:plc:EWVI7NXZYOUN6ZHXRHS64OIZ')).toBe(false)
    expect(isDidWeb('did:web:example.com')).toBe(true)
    expect(isDidWeb('did:web:')).toBe(false)
    expect(isDidWeb('did:plc:ewvi7nxzyoun6zhxrhs64oiz')).toBe(false)
  })
})

describe('AT URIs', () => {
  test('parse into authority, collection and record key', () => {
    const uri = AtUri.parse('at://did:plc:asdf123/app.bsky.feed.post/3k5nobkf2w72g')
    expect(uri.host).toBe('did:plc:asdf123' as AtIdentifier)
    expect(uri.did).toBe(parseDid('did:plc:asdf123'))
    expect(uri.collection).toBe('app.bsky.feed.post' as Nsid)
    expect(uri.rkey).toBe('3k5nobkf2w72g' as RecordKey)
    expect(uri.toString()).toBe('at://did:plc:asdf123/app.bsky.feed.post/3k5nobkf2w72g')
    expect(`${uri}`).toBe(uri.toString())
  })

  test('a handle authority has no DID and optional parts stay undefined', () => {
    const uri = parseAtUri('at://retr0.id')
    expect(uri.did).toBeUndefined()
    expect(uri.collection).toBeUndefined()
    expect(uri.rkey).toBeUndefined()
  })

  test('format and make build the same text parse accepts', () => {
    const host = parseAtIdentifier('did:plc:asdf123')
    const collection = parseNsid('app.bsky.feed.post')
    const rkey = parseRecordKey('self')
    const text = formatAtUri(host, collection, rkey)
    expect(text).toBe('at://did:plc:asdf123/app.bsky.feed.post/self')
    expect(AtUri.make(host, collection, rkey).toString()).toBe(text)
    expect(AtUri.make(host, collection).toString()).toBe('at://did:plc:asdf123/app.bsky.feed.post')
    expect(AtUri.make(host).toString()).toBe('at://did:plc:asdf123')
    expect(() => AtUri.make(host, undefined, rkey)).toThrow(TypeError)
    expect(isValidAtUri(text)).toBe(true)
  })
})

describe('record keys', () => {
  test('match a record lexicon key type', () => {
    expect(matchesRecordKeyType('3jzfcijpj2z2a', 'tid')).toBe(true)
    expect(matchesRecordKeyType('self', 'tid')).toBe(false)
    expect(matchesRecordKeyType('self', 'literal:self')).toBe(true)
    expect(matchesRecordKeyType('other', 'literal:self')).toBe(false)
    expect(matchesRecordKeyType('com.example.fooBar', 'nsid')).toBe(true)
    expect(matchesRecordKeyType('pre:fix', 'any')).toBe(true)
    expect(matchesRecordKeyType('..', 'any')).toBe(false)
    expect(matchesRecordKeyType('self', 'something-new')).toBe(false)
  })
})

describe('datetimes and CIDs', () => {
  test('toDatetime writes UTC with millisecond precision', () => {
    const dt = toDatetime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))
    expect(dt).toBe(parseDatetime('2024-01-02T03:04:05.006Z'))
    expect(() => toDatetime(new Date(Number.NaN))).toThrow(RangeError)
  })

  test('leap days exist only in leap years', () => {
    expect(isValidDatetime('2024-02-29T00:00:00Z')).toBe(true)
    expect(isValidDatetime('2000-02-29T00:00:00Z')).toBe(true)
    expect(isValidDatetime('1900-02-29T00:00:00Z')).toBe(false)
    expect(isValidDatetime('9999-12-31T23:00:00-01:00')).toBe(false)
  })

  test('parseCidString decodes real CIDs and rejects syntax-only matches', () => {
    const cid = 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq'
    expect(parseCidString(cid).toString()).toBe(cid)
    expect(() => parseCidString('z7x3CtScH765HvShXT')).toThrow('does not decode as a CID')
    expect(() => parseCidString('QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR')).toThrow('CIDv0')
  })
})
