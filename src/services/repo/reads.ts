/**
 * Public record reads (com.atproto.repo.getRecord, listRecords, describeRepo): straight from the
 * record index, one indexed query each, values decoded from the stored blocks. Records the admin
 * took down are left out (docs/ADMIN.md); a listRecords page may then come out short, its cursor
 * still the last key read.
 */
import { decodeCbor } from '../../core/cbor.ts'
import type { CID } from '../../core/cid.ts'
import type { LexValue } from '../../core/data-model.ts'
import type { TakedownStore } from '../../storage/moderation/index.ts'
import type { RecordRow, RepoStorage } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { availableRepo, readableRepo } from './access.ts'
import type { RepoAccounts } from './types.ts'

export interface RecordView {
  readonly uri: string
  readonly cid: CID
  readonly value: LexValue
}

export interface RecordPage {
  readonly records: RecordView[]
  /** The last rkey returned (as the reference: present whenever the page is not empty). */
  readonly cursor?: string
}

export interface RepoDescription {
  readonly handle: string
  readonly did: string
  readonly didDoc: unknown
  readonly collections: string[]
  readonly handleIsCorrect: boolean
}

export interface ReadDeps {
  readonly storage: RepoStorage
  readonly accounts: RepoAccounts
  readonly takedowns: Pick<TakedownStore, 'isRecordTakenDown' | 'takenDownRkeys'>
  /** Resolves a DID document (for describeRepo); undefined when the DID has none. */
  readonly resolveDidDoc: (did: string) => Promise<unknown>
}

export function getRecord(
  deps: ReadDeps,
  params: { repo: string; collection: string; rkey: string; cid?: CID },
): RecordView {
  const { repo, collection, rkey } = params
  const account = deps.accounts.getAccount(repo)
  const usable = account && account.takedownRef === null && account.deactivatedAt === null
  const row = usable ? deps.storage.records.get(account.did, collection, rkey) : undefined
  const hidden = !row || (params.cid && !row.cid.equals(params.cid))
  if (!account || hidden || deps.takedowns.isRecordTakenDown(account.did, collection, rkey)) {
    throw new InvalidRequestError(
      `Could not locate record: at://${repo}/${collection}/${rkey}`,
      'RecordNotFound',
    )
  }
  return toView(account.did, collection, row)
}

export function listRecords(
  deps: ReadDeps,
  params: { repo: string; collection: string; limit: number; cursor?: string; reverse?: boolean },
): RecordPage {
  const { did } = readableRepo(deps.accounts, params.repo)
  const rows = deps.storage.records.list(did, params.collection, params)
  const takenDown = deps.takedowns.takenDownRkeys(did, params.collection)
  const shown = takenDown.size === 0 ? rows : rows.filter((row) => !takenDown.has(row.rkey))
  const records = shown.map((row) => toView(did, params.collection, row))
  const last = rows.at(-1)
  return last ? { records, cursor: last.rkey } : { records }
}

export async function describeRepo(deps: ReadDeps, repo: string): Promise<RepoDescription> {
  const account = availableRepo(deps.accounts, repo, null)
  let didDoc: unknown
  try {
    didDoc = await deps.resolveDidDoc(account.did)
  } catch (err) {
    throw new InvalidRequestError(`Could not resolve DID: ${(err as Error).message}`, 'InvalidRequest', {
      cause: err,
    })
  }
  if (didDoc === undefined || didDoc === null)
    throw new InvalidRequestError(`Could not resolve DID: ${account.did}`)
  return {
    handle: account.handle,
    did: account.did,
    didDoc,
    collections: deps.storage.records.collections(account.did),
    handleIsCorrect: handleInDidDoc(didDoc) === account.handle,
  }
}

function toView(did: string, collection: string, row: RecordRow): RecordView {
  return { uri: `at://${did}/${collection}/${row.rkey}`, cid: row.cid, value: decodeCbor(row.bytes) }
}

/** The handle a DID document claims (its first `at://` alias). */
function handleInDidDoc(doc: unknown): string | undefined {
  const aliases = (doc as { alsoKnownAs?: unknown } | null)?.alsoKnownAs
  if (!Array.isArray(aliases)) return undefined
  const alias = aliases.find((a): a is string => typeof a === 'string' && a.startsWith('at://'))
  return alias?.slice('at://'.length)
}
