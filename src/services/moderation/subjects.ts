/**
 * The subjects of com.atproto.admin.get/updateSubjectStatus and com.atproto.moderation
 * .createReport, as the lexicon unions name them, resolved to what this server stores: an account
 * (repoRef), a record path with the version named (strongRef), a blob of an account (repoBlobRef).
 * A record URI may name its repository by handle; it is resolved to the account's DID.
 */
import { parseCid } from '../../core/cid.ts'
import { AtUri } from '../../core/syntax/at-uri.ts'
import { InvalidRequestError } from '../errors.ts'

export const REPO_REF = 'com.atproto.admin.defs#repoRef'
export const STRONG_REF = 'com.atproto.repo.strongRef'
export const REPO_BLOB_REF = 'com.atproto.admin.defs#repoBlobRef'

export type SubjectInput =
  | { $type: typeof REPO_REF; did: string }
  | { $type: typeof STRONG_REF; uri: string; cid: string }
  | { $type: typeof REPO_BLOB_REF; did: string; cid: string; recordUri?: string }
  | { $type?: string }

export type ResolvedSubject =
  | { kind: 'repo'; did: string }
  | { kind: 'record'; did: string; collection: string; rkey: string; cid: string }
  | { kind: 'blob'; did: string; cid: string }

/** `{applied, ref}` of the admin lexicon. */
export interface StatusAttr {
  applied: boolean
  ref?: string
}

/** Resolves a subject; `didOf` maps a handle or DID to a local account's DID. */
export function resolveSubject(
  subject: SubjectInput,
  didOf: (identifier: string) => string | undefined,
): ResolvedSubject {
  if ('did' in subject && subject.$type === REPO_REF)
    return { kind: 'repo', did: localDid(subject.did, didOf) }
  if ('uri' in subject && subject.$type === STRONG_REF) {
    return { kind: 'record', ...recordPath(subject.uri, didOf), cid: normalizedCid(subject.cid) }
  }
  if ('cid' in subject && subject.$type === REPO_BLOB_REF) {
    return { kind: 'blob', did: localDid(subject.did, didOf), cid: normalizedCid(subject.cid) }
  }
  throw new InvalidRequestError('Invalid subject')
}

/** The DID, collection and record key of a record URI (`at://<did or handle>/<nsid>/<rkey>`). */
export function recordPath(
  uri: string,
  didOf: (identifier: string) => string | undefined,
): { did: string; collection: string; rkey: string } {
  let parsed: AtUri
  try {
    parsed = AtUri.parse(uri)
  } catch {
    throw new InvalidRequestError(`Invalid record URI: ${uri}`)
  }
  if (parsed.collection === undefined || parsed.rkey === undefined) {
    throw new InvalidRequestError(`Not a record URI: ${uri}`)
  }
  return { did: localDid(parsed.host, didOf), collection: parsed.collection, rkey: parsed.rkey }
}

/** The subject as the lexicon writes it back, with the record URI naming the DID. */
export function subjectView(subject: ResolvedSubject): Record<string, string> {
  switch (subject.kind) {
    case 'repo':
      return { $type: REPO_REF, did: subject.did }
    case 'record':
      return {
        $type: STRONG_REF,
        uri: `at://${subject.did}/${subject.collection}/${subject.rkey}`,
        cid: subject.cid,
      }
    case 'blob':
      return { $type: REPO_BLOB_REF, did: subject.did, cid: subject.cid }
  }
}

/** A CID in its canonical string form (blob and record CIDs are stored that way). */
export function normalizedCid(text: string): string {
  try {
    return parseCid(text).toString()
  } catch {
    throw new InvalidRequestError(`Invalid CID: ${text}`)
  }
}

function localDid(identifier: string, didOf: (identifier: string) => string | undefined): string {
  const did = didOf(identifier)
  if (did === undefined) throw new InvalidRequestError(`Account not found: ${identifier}`, 'NotFound')
  return did
}
