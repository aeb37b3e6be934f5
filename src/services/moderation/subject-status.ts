/**
 * com.atproto.admin.getSubjectStatus / updateSubjectStatus (docs/ADMIN.md "Takedowns").
 * - An account takedown sets `account.takedown_ref` (the admin's ref, else the time), ends the
 *   account's password sessions, and announces `#account` (active false, status takendown) in the
 *   same transaction; lifting it announces the account's status again. Every read and write path
 *   checks the ref (repo reads, sync, blobs, login, writes).
 * - `deactivated` deactivates or reactivates the account, with the events those send.
 * - A record takedown hides the record path from getRecord, listRecords and sync.getRecord; a blob
 *   takedown stops getBlob and any new record from referencing the blob. Both stay until lifted.
 */
import { InvalidRequestError } from '../errors.ts'
import type { ModerationDeps } from './deps.ts'
import {
  normalizedCid,
  type ResolvedSubject,
  recordPath,
  resolveSubject,
  type StatusAttr,
  type SubjectInput,
  subjectView,
} from './subjects.ts'

export interface SubjectStatusQuery {
  did?: string | undefined
  uri?: string | undefined
  blob?: string | undefined
}

export interface SubjectStatusView {
  subject: Record<string, string>
  takedown?: StatusAttr
  deactivated?: StatusAttr
}

export interface SubjectStatusUpdate {
  subject: SubjectInput
  takedown?: StatusAttr | undefined
  deactivated?: StatusAttr | undefined
}

export function getSubjectStatus(deps: ModerationDeps, query: SubjectStatusQuery): SubjectStatusView {
  const didOfId = (id: string) => didOf(deps, id)
  let status: SubjectStatusView | undefined
  if (query.blob !== undefined) {
    if (query.did === undefined) throw new InvalidRequestError('Must provide a did to request blob state')
    status = blobStatus(deps, query.did, normalizedCid(query.blob))
  } else if (query.uri !== undefined) {
    status = recordStatus(deps, recordPath(query.uri, didOfId))
  } else if (query.did !== undefined) {
    status = repoStatus(deps, query.did)
  } else {
    throw new InvalidRequestError('No provided subject')
  }
  if (status === undefined) throw new InvalidRequestError('Subject not found', 'NotFound')
  return status
}

export function updateSubjectStatus(
  deps: ModerationDeps,
  update: SubjectStatusUpdate,
): { subject: Record<string, string>; takedown?: StatusAttr } {
  const subject = resolveSubject(update.subject, (id) => didOf(deps, id))
  const { takedown, deactivated } = update
  if (takedown !== undefined) applyTakedown(deps, subject, takedown)
  if (deactivated !== undefined && subject.kind === 'repo') {
    if (deactivated.applied) deps.accounts.deactivateAccount(subject.did)
    else deps.accounts.activateAccount(subject.did)
  }
  return takedown === undefined
    ? { subject: subjectView(subject) }
    : { subject: subjectView(subject), takedown }
}

function repoStatus(deps: ModerationDeps, did: string): SubjectStatusView | undefined {
  const account = deps.accounts.getAccount(did)
  if (account === undefined) return undefined
  return {
    subject: subjectView({ kind: 'repo', did: account.did }),
    takedown: attr(account.takedownRef),
    deactivated: { applied: account.deactivatedAt !== null },
  }
}

/** The record as it is now; a takedown outliving its record names the version taken down. */
function recordStatus(
  deps: ModerationDeps,
  path: { did: string; collection: string; rkey: string },
): SubjectStatusView | undefined {
  const takedown = deps.tables.takedowns.record(path.did, path.collection, path.rkey)
  const cid = deps.records.getCid(path.did, path.collection, path.rkey)?.toString() ?? takedown?.cid
  if (cid === undefined) return undefined
  return { subject: subjectView({ kind: 'record', ...path, cid }), takedown: attr(takedown?.ref ?? null) }
}

function blobStatus(deps: ModerationDeps, did: string, cid: string): SubjectStatusView | undefined {
  const takedown = deps.tables.takedowns.blob(did, cid)
  if (takedown === undefined && deps.blobs.get(did, cid) === undefined) return undefined
  return { subject: subjectView({ kind: 'blob', did, cid }), takedown: attr(takedown?.ref ?? null) }
}

function applyTakedown(deps: ModerationDeps, subject: ResolvedSubject, takedown: StatusAttr): void {
  const ref = takedown.applied ? (takedown.ref ?? new Date(deps.now()).toISOString()) : null
  const { takedowns } = deps.tables
  const createdAt = new Date(deps.now()).toISOString()
  deps.db.transaction(() => {
    switch (subject.kind) {
      case 'repo':
        return takedownAccountInTx(deps, subject.did, ref)
      case 'record':
        if (ref === null) takedowns.deleteRecord(subject.did, subject.collection, subject.rkey)
        else
          takedowns.putRecord({
            did: subject.did,
            collection: subject.collection,
            rkey: subject.rkey,
            cid: subject.cid,
            ref,
            createdAt,
          })
        return
      case 'blob':
        if (ref === null) takedowns.deleteBlob(subject.did, subject.cid)
        else takedowns.putBlob({ did: subject.did, cid: subject.cid, ref, createdAt })
    }
  })
  deps.logger.info(ref === null ? 'takedown lifted' : 'takedown applied', { ...subjectView(subject), ref })
}

/**
 * Sets or clears the account's takedown. Applying it ends the password sessions (OAuth tokens are
 * refused while the ref is set); the `#account` event goes out whenever the takedown state flips.
 */
function takedownAccountInTx(deps: ModerationDeps, did: string, ref: string | null): void {
  const { accounts } = deps.accounts.tables
  const before = accounts.byDid(did)?.takedownRef ?? null
  accounts.setTakedownRef(did, ref)
  if (ref !== null) deps.accounts.sessions.revokeAllInTx(did)
  if ((before === null) === (ref === null)) return
  const status = deps.accounts.getAccountStatus(did)
  deps.events.sequenceAccountInTx(did, status.active, status.status)
}

function attr(ref: string | null): StatusAttr {
  return ref === null ? { applied: false } : { applied: true, ref }
}

function didOf(deps: ModerationDeps, identifier: string): string | undefined {
  return deps.accounts.getAccount(identifier)?.did
}
