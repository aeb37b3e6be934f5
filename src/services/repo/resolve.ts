/**
 * The first steps inside the write transaction, where the repository cannot change under them:
 * puts become creates or updates, writes that change nothing are dropped when asked, duplicate
 * follows/likes/reposts/blocks are queued for deletion, and compare-and-swap conditions are
 * checked (reference semantics: a 400 `InvalidSwap` naming the current value).
 */
import type { CID } from '../../core/cid.ts'
import type { RepoRoot, RepoStorage } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { DeleteWrite, PreparedWrite, RecordWrite } from './types.ts'

export type ResolvedWrite = (RecordWrite & { readonly action: 'create' | 'update' }) | DeleteWrite

export interface ResolveRequest {
  readonly did: string
  readonly writes: readonly PreparedWrite[]
  readonly replaceBacklinks?: boolean
  readonly dropNoops?: boolean
}

/** The writes to commit; the request's own start at `ownFrom` (after backlink replacements). */
export function resolveWrites(
  storage: RepoStorage,
  req: ResolveRequest,
): { writes: ResolvedWrite[]; ownFrom: number } {
  const own: ResolvedWrite[] = []
  for (const write of req.writes) {
    if (write.action === 'put') {
      const current = storage.records.getCid(req.did, write.collection, write.rkey)
      if (req.dropNoops && current && write.cid && current.equals(write.cid)) continue
      own.push({ ...write, action: current ? 'update' : 'create' })
    } else if (write.action === 'delete') {
      if (req.dropNoops && !storage.records.getCid(req.did, write.collection, write.rkey)) continue
      own.push(write)
    } else {
      own.push({ ...write, action: write.action })
    }
  }
  const replaced = req.replaceBacklinks ? backlinkReplacements(storage, req.did, own) : []
  return { writes: [...replaced, ...own], ownFrom: replaced.length }
}

export function checkSwaps(
  storage: RepoStorage,
  did: string,
  root: RepoRoot,
  swapCommit: CID | undefined,
  writes: readonly ResolvedWrite[],
): void {
  if (swapCommit && !root.cid.equals(swapCommit)) {
    throw new InvalidRequestError(`Commit was at ${root.cid}`, 'InvalidSwap')
  }
  for (const write of writes) {
    const swap = write.swapRecord
    if (swap === undefined) continue
    const current = storage.records.getCid(did, write.collection, write.rkey)
    const expectsRecord = write.action !== 'create'
    const mismatch = expectsRecord
      ? swap === null || !current?.equals(swap)
      : swap !== null || current !== null
    if (mismatch)
      throw new InvalidRequestError(`Record was at ${current?.toString() ?? 'null'}`, 'InvalidSwap')
  }
}

/** Deletes of the records in the same collection that link to the same subject as a new record. */
function backlinkReplacements(
  storage: RepoStorage,
  did: string,
  writes: readonly ResolvedWrite[],
): DeleteWrite[] {
  const deletes = new Map<string, DeleteWrite>()
  for (const write of writes) {
    if (write.action !== 'create') continue
    for (const link of write.backlinks) {
      for (const rkey of storage.backlinks.rkeysLinkingTo(did, write.collection, link)) {
        if (rkey === write.rkey) continue
        deletes.set(`${write.collection}/${rkey}`, { action: 'delete', collection: write.collection, rkey })
      }
    }
  }
  return [...deletes.values()]
}
