/**
 * AT URIs in the restricted form Lexicon `at-uri` fields use (spec: at-uri-scheme.md "Restricted
 * AT URI Syntax"): `at://AUTHORITY[/COLLECTION[/RKEY]]` with a DID or handle authority, an NSID
 * collection and a record key. Query, fragment, empty segments (so trailing slashes) and extra
 * path segments are rejected; the whole URI is at most 8 KB.
 */
import { type AtIdentifier, isValidAtIdentifier } from './at-identifier.ts'
import type { Did } from './did.ts'
import { InvalidSyntaxError } from './errors.ts'
import { isValidNsid, type Nsid } from './nsid.ts'
import { isValidRecordKey, type RecordKey } from './record-key.ts'

export const MAX_AT_URI_LENGTH = 8192

export class AtUri {
  private constructor(
    readonly host: AtIdentifier,
    readonly collection: Nsid | undefined,
    readonly rkey: RecordKey | undefined,
    private readonly text: string,
  ) {}

  static parse(s: string): AtUri {
    const parts = splitAtUri(s)
    if (typeof parts === 'string') throw new InvalidSyntaxError('at-uri', s, parts)
    return new AtUri(parts[0], parts[1], parts[2], s)
  }

  /** Builds a URI from already-validated parts (a record key needs a collection). */
  static make(host: AtIdentifier, collection?: Nsid, rkey?: RecordKey): AtUri {
    if (collection === undefined) {
      if (rkey !== undefined) throw new TypeError('an AT URI with a record key needs a collection')
      return new AtUri(host, undefined, undefined, `at://${host}`)
    }
    if (rkey === undefined) return new AtUri(host, collection, undefined, `at://${host}/${collection}`)
    return new AtUri(host, collection, rkey, formatAtUri(host, collection, rkey))
  }

  /** The authority when it is a DID (records should reference repositories by DID). */
  get did(): Did | undefined {
    return this.host.startsWith('did:') ? (this.host as Did) : undefined
  }

  toString(): string {
    return this.text
  }
}

export function isValidAtUri(s: string): boolean {
  return typeof splitAtUri(s) !== 'string'
}

export function parseAtUri(s: string): AtUri {
  return AtUri.parse(s)
}

/** The URI of one record. The parts are branded, so they are already valid. */
export function formatAtUri(host: AtIdentifier, collection: Nsid, rkey: RecordKey): string {
  return `at://${host}/${collection}/${rkey}`
}

type Parts = [AtIdentifier, Nsid | undefined, RecordKey | undefined]

/** The parsed parts, or a description of the first problem found. */
function splitAtUri(s: string): Parts | string {
  if (s.length > MAX_AT_URI_LENGTH) return `longer than ${MAX_AT_URI_LENGTH} characters`
  if (!s.startsWith('at://')) return 'must start with "at://"'
  if (/[?#]/.test(s)) return 'query and fragment parts are not supported'
  const [host = '', collection, rkey, ...rest] = s.slice(5).split('/')
  if (rest.length > 0) return 'the path may only hold a collection and a record key'
  if (!isValidAtIdentifier(host)) return 'the authority must be a valid DID or handle'
  if (collection === undefined) return [host, undefined, undefined]
  if (collection === '') return 'must not contain an empty path segment or a trailing slash'
  if (!isValidNsid(collection)) return 'the collection must be a valid NSID'
  if (rkey === undefined) return [host, collection, undefined]
  if (rkey === '') return 'must not contain an empty path segment or a trailing slash'
  if (!isValidRecordKey(rkey)) return 'the record key is not valid'
  return [host, collection, rkey]
}
