/**
 * The repository side of com.atproto.sync (spec: sync "Repository Exports"): full and
 * incremental CAR exports, the latest commit, record proofs, raw blocks, and the listings relays
 * page through. Availability follows the reference (RepoNotFound, RepoTakendown,
 * RepoDeactivated; the owner always passes). Exports stream from a snapshot; proofs and block
 * reads are small and built in memory from one consistent read. A record the admin took down has
 * no proof (RecordNotFound); whole-repository exports still carry it, as the reference's do.
 */
import { readBlock } from '../../core/block-reader.ts'
import { type CarBlock, encodeCar, writeCar } from '../../core/car.ts'
import type { CID } from '../../core/cid.ts'
import { Mst, proveKey } from '../../core/mst/index.ts'
import type { Db } from '../../storage/database.ts'
import { TakedownStore } from '../../storage/moderation/index.ts'
import { RepoSnapshot } from '../../storage/repo/index.ts'
import { type HostedRepoKey, RepoListing, RepoReads, type SyncRoot } from '../../storage/sync/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { RepoAccount, RepoAccounts, RepoService } from '../repo/index.ts'

export interface SyncServiceDeps {
  readonly db: Db
  readonly repo: Pick<RepoService, 'availableRepo' | 'exportRepoCar'>
  readonly accounts: Pick<RepoAccounts, 'getAccount'>
}

/** Hosting status (spec: account "Hosting Status"); a takedown outranks a deactivation. */
export interface HostingStatus {
  readonly active: boolean
  readonly status?: 'takendown' | 'deactivated'
}

export interface HostedRepo {
  readonly did: string
  readonly head: CID
  readonly rev: string
  readonly active: boolean
  readonly status?: string
}

export interface Page<T> {
  readonly cursor?: string
  readonly items: T[]
}

export interface RepoStatusView extends HostingStatus {
  readonly did: string
  readonly rev?: string
}

const CURSOR_SEPARATOR = '::'

export class SyncService {
  private readonly reads: RepoReads
  private readonly listing: RepoListing
  private readonly takedowns: TakedownStore

  constructor(private readonly deps: SyncServiceDeps) {
    this.reads = new RepoReads(deps.db)
    this.listing = new RepoListing(deps.db)
    this.takedowns = new TakedownStore(deps.db)
  }

  /**
   * The repository as a CAR stream: everything (the streamable block order), or with `since`
   * only the blocks written by commits after that rev, with the current commit as root. Checks
   * run before the first byte, so they still become proper error answers.
   */
  repoCar(did: string, since: string | undefined, requester: string | null): AsyncIterable<Uint8Array> {
    this.deps.repo.availableRepo(did, requester)
    this.root(did)
    if (since === undefined) return this.deps.repo.exportRepoCar(did)
    return diffCar(this.deps.db.path, did, since)
  }

  latestCommit(did: string, requester: string | null): { cid: CID; rev: string } {
    this.deps.repo.availableRepo(did, requester)
    const root = this.root(did)
    return { cid: root.cid, rev: root.rev }
  }

  /** The deprecated getHead: the current commit, or HeadNotFound. */
  head(did: string, requester: string | null): CID {
    this.deps.repo.availableRepo(did, requester)
    const root = this.reads.root(did)
    if (!root) throw new InvalidRequestError(`Could not find root for DID: ${did}`, 'HeadNotFound')
    return root.cid
  }

  /**
   * A proof CAR for one record path: the commit, the MST nodes from the root to the key, and
   * the record when it exists; without it the same nodes prove its absence.
   */
  recordProof(did: string, collection: string, rkey: string, requester: string | null): Uint8Array {
    this.deps.repo.availableRepo(did, requester)
    if (this.takedowns.isRecordTakenDown(did, collection, rkey)) {
      throw new InvalidRequestError(
        `Could not locate record: at://${did}/${collection}/${rkey}`,
        'RecordNotFound',
      )
    }
    const key = `${collection}/${rkey}`
    return this.reads.consistent(() => {
      const root = this.root(did)
      const reader = this.reads.reader(did)
      const nodes = proveKey(reader, root.data, key)
      const blocks: CarBlock[] = [{ cid: root.cid, bytes: readBlock(reader, root.cid) }, ...nodes.entries()]
      const record = Mst.load(nodes, root.data).get(key)
      if (record) blocks.push({ cid: record, bytes: readBlock(reader, record) })
      return encodeCar(root.cid, blocks)
    })
  }

  /** The requested blocks of the repository as a root-less CAR; BlockNotFound names any missing. */
  blocks(did: string, cids: readonly CID[], requester: string | null): Uint8Array {
    this.deps.repo.availableRepo(did, requester)
    const reader = this.reads.reader(did)
    const found: CarBlock[] = []
    const missing: string[] = []
    this.reads.consistent(() => {
      for (const cid of cids) {
        const bytes = reader.get(cid)
        if (bytes) found.push({ cid, bytes })
        else missing.push(cid.toString())
      }
    })
    if (missing.length > 0)
      throw new InvalidRequestError(`Could not find cids: ${missing.join(',')}`, 'BlockNotFound')
    return encodeCar(null, found)
  }

  /** Every hosted repository, oldest account first, with its hosting status. */
  listRepos(limit: number, cursor: string | undefined): Page<HostedRepo> {
    const rows = this.listing.hostedRepos(parseRepoCursor(cursor), limit)
    const items = rows.map((row) => ({
      did: row.did,
      head: row.head,
      rev: row.rev,
      ...hostingStatus(row),
    }))
    const last = rows.at(-1)
    return { cursor: last && `${last.createdAt}${CURSOR_SEPARATOR}${last.did}`, items }
  }

  /** The account's hosting status, and its rev while active; RepoNotFound for unknown DIDs. */
  repoStatus(did: string): RepoStatusView {
    const account = this.deps.accounts.getAccount(did)
    if (!account) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
    const status = hostingStatus(account)
    if (!status.active) return { did, ...status }
    const rev = this.reads.root(did)?.rev
    return rev === undefined ? { did, ...status } : { did, ...status, rev }
  }

  /** DIDs of active accounts with records in `collection`, in DID order. */
  listReposByCollection(collection: string, limit: number, cursor: string | undefined): Page<string> {
    const items = this.listing.reposWithCollection(collection, cursor ?? '', limit)
    return { cursor: items.length === limit ? items.at(-1) : undefined, items }
  }

  private root(did: string): SyncRoot {
    const root = this.reads.root(did)
    if (!root) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
    return root
  }
}

async function* diffCar(dbPath: string, did: string, since: string): AsyncGenerator<Uint8Array> {
  const snapshot = RepoSnapshot.open(dbPath)
  try {
    const root = snapshot.root(did)
    if (!root) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
    yield* writeCar(root.cid, snapshot.blocksSince(did, since))
  } finally {
    snapshot.close()
  }
}

function hostingStatus(account: Pick<RepoAccount, 'deactivatedAt' | 'takedownRef'>): HostingStatus {
  if (account.takedownRef !== null) return { active: false, status: 'takendown' }
  if (account.deactivatedAt !== null) return { active: false, status: 'deactivated' }
  return { active: true }
}

function parseRepoCursor(cursor: string | undefined): HostedRepoKey | undefined {
  if (cursor === undefined) return undefined
  const at = cursor.indexOf(CURSOR_SEPARATOR)
  if (at <= 0) throw new InvalidRequestError('Malformed cursor')
  return { createdAt: cursor.slice(0, at), did: cursor.slice(at + CURSOR_SEPARATOR.length) }
}
