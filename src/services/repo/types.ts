/**
 * The shapes the repo service works with: what it needs from the accounts service, and writes
 * once they are parsed and validated (prepare.ts) on their way into the one write path.
 */
import type { FoundBlobRef } from '../../core/blob-ref.ts'
import type { CID } from '../../core/cid.ts'
import type { Keypair } from '../../core/crypto/keypair.ts'
import type { LexMap } from '../../core/data-model.ts'
import type { Backlink } from '../../storage/repo/index.ts'

/** The account fields the repo service reads (a subset of the accounts service's AccountRow). */
export interface RepoAccount {
  readonly did: string
  readonly handle: string
  readonly deactivatedAt: string | null
  readonly takedownRef: string | null
}

/** What the repo service needs from the accounts service. */
export interface RepoAccounts {
  getAccount(didOrHandle: string): RepoAccount | undefined
  /** The account's repo signing key; throws when there is none. */
  signingKey(did: string): Keypair
}

/** `valid`: checked against a known lexicon; `unknown`: no lexicon for the type; undefined: not checked. */
export type ValidationStatus = 'valid' | 'unknown' | undefined

/**
 * A create, an update, or a put (putRecord: an update when the record exists, else a create,
 * decided inside the write transaction).
 */
export interface RecordWrite {
  readonly action: 'create' | 'update' | 'put'
  readonly collection: string
  readonly rkey: string
  readonly record: LexMap
  readonly validationStatus: ValidationStatus
  /** The record's blob refs (typed refs only; legacy refs are refused). */
  readonly blobs: readonly FoundBlobRef[]
  readonly backlinks: readonly Backlink[]
  /** Compare-and-swap: undefined skips it, null requires that no record exists. */
  readonly swapRecord?: CID | null
  /** Only for puts: the record's CID, to recognise a put that changes nothing. */
  readonly cid?: CID
}

export interface DeleteWrite {
  readonly action: 'delete'
  readonly collection: string
  readonly rkey: string
  readonly swapRecord?: CID | null
}

export type PreparedWrite = RecordWrite | DeleteWrite

/** A write as committed: puts resolved, with the record CID (null for deletes). */
export interface CommittedWrite {
  readonly action: 'create' | 'update' | 'delete'
  /** `at://did/collection/rkey`. */
  readonly uri: string
  readonly collection: string
  readonly rkey: string
  readonly cid: CID | null
  readonly validationStatus: ValidationStatus
}

export interface CommitRef {
  readonly cid: CID
  readonly rev: string
}
