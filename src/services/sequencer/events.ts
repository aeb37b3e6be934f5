/**
 * Event bodies of com.atproto.sync.subscribeRepos (event-stream and sync specs), as the DAG-CBOR
 * maps a subscriber receives after the `{op: 1, t: '#commit'}` header. Optional fields are left
 * out rather than set to undefined (DRISL has no undefined); `since` is the one nullable field.
 * `rebase` and `tooBig` are always false and `blobs` always empty, as the current reference
 * writes them (the fields are deprecated but still required by the lexicon).
 */
import type { CID } from '../../core/cid.ts'

export type EventType = 'commit' | 'sync' | 'identity' | 'account'

export type AccountStatus =
  | 'takendown'
  | 'suspended'
  | 'deleted'
  | 'deactivated'
  | 'desynchronized'
  | 'throttled'

export interface CommitEventOp {
  readonly action: 'create' | 'update' | 'delete'
  /** `collection/rkey`. */
  readonly path: string
  /** The new record; null for a delete. */
  readonly cid: CID | null
  /** The replaced record; null for a create. */
  readonly prev: CID | null
}

export interface CommitEventInput {
  readonly commit: CID
  readonly rev: string
  /** The previous commit's rev; null for the first commit of a repository. */
  readonly since: string | null
  /** CAR slice: the commit, new MST nodes and records, and the nodes needed to invert `ops`. */
  readonly blocks: Uint8Array
  readonly ops: readonly CommitEventOp[]
  /** The previous commit's MST root; null for the first commit. */
  readonly prevData: CID | null
}

export interface SyncEventInput {
  readonly rev: string
  /** CAR holding just the commit block, with the commit as root. */
  readonly blocks: Uint8Array
}

interface Stamp {
  readonly seq: number
  readonly time: string
}

export function commitEventBody(did: string, input: CommitEventInput, { seq, time }: Stamp) {
  const ops = input.ops.map(({ action, path, cid, prev }) =>
    prev ? { action, path, cid, prev } : { action, path, cid },
  )
  const body = {
    seq,
    rebase: false,
    tooBig: false,
    repo: did,
    commit: input.commit,
    rev: input.rev,
    since: input.since,
    blocks: input.blocks,
    ops,
    blobs: [],
    time,
  }
  return input.prevData ? { ...body, prevData: input.prevData } : body
}

export function syncEventBody(did: string, input: SyncEventInput, { seq, time }: Stamp) {
  return { seq, did, blocks: input.blocks, rev: input.rev, time }
}

export function identityEventBody(did: string, handle: string | undefined, { seq, time }: Stamp) {
  return handle === undefined ? { seq, did, time } : { seq, did, time, handle }
}

export function accountEventBody(
  did: string,
  active: boolean,
  status: AccountStatus | string | undefined,
  { seq, time }: Stamp,
) {
  return status === undefined ? { seq, did, time, active } : { seq, did, time, active, status }
}
