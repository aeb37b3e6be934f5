/**
 * The repository service: the XRPC repo operations on top of the one write path (commit.ts),
 * the record reads, export and import, and the repository lifecycle the accounts service calls
 * inside its own transactions.
 */

import { type CID, parseCid } from '../../core/cid.ts'
import type { Keypair } from '../../core/crypto/keypair.ts'
import type { Lexicons } from '../../core/lexicon/index.ts'
import type { TakedownStore } from '../../storage/moderation/index.ts'
import type { RepoRoot } from '../../storage/repo/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { availableRepo, writableRepo } from './access.ts'
import { type CommitDeps, commitWrites } from './commit.ts'
import { exportRepoCar } from './export.ts'
import { importRepo } from './import.ts'
import { type CreateRepoOptions, createRepoInTx, deleteRepoInTx, sequenceSyncInTx } from './lifecycle.ts'
import { prepareDelete, prepareRecordWrite } from './prepare.ts'
import * as reads from './reads.ts'
import type { CommitRef, CommittedWrite, PreparedWrite, RepoAccount, ValidationStatus } from './types.ts'

export interface RepoServiceDeps extends CommitDeps {
  readonly lexicons: Lexicons
  /** Record takedowns, which the record reads leave out. */
  readonly takedowns: TakedownStore
  /** Resolves a DID document (describeRepo). */
  readonly resolveDidDoc: (did: string) => Promise<unknown>
}

interface RepoTarget {
  readonly repo: string
  readonly validate?: boolean
  readonly swapCommit?: string
}

export interface CreateRecordInput extends RepoTarget {
  readonly collection: string
  readonly rkey?: string
  readonly record: unknown
}

export interface PutRecordInput extends RepoTarget {
  readonly collection: string
  readonly rkey: string
  readonly record: unknown
  readonly swapRecord?: string | null
}

export interface DeleteRecordInput extends RepoTarget {
  readonly collection: string
  readonly rkey: string
  readonly swapRecord?: string
}

export interface ApplyWritesInput extends RepoTarget {
  readonly writes: readonly { $type?: string; collection: string; rkey?: string; value?: unknown }[]
}

export interface WriteResult {
  readonly uri: string
  readonly cid: CID
  /** Null when the write changed nothing (putRecord with identical content). */
  readonly commit: CommitRef | null
  readonly validationStatus: ValidationStatus
}

export interface RepoStats {
  readonly commit: string
  readonly rev: string
  readonly blocks: number
  readonly records: number
  /** Distinct blobs referenced by records, and how many of those this server holds. */
  readonly expectedBlobs: number
  readonly importedBlobs: number
}

export const MAX_WRITES_PER_COMMIT = 200
const WRITE_TYPE = 'com.atproto.repo.applyWrites#'

export class RepoService {
  constructor(private readonly deps: RepoServiceDeps) {}

  createRepoInTx(did: string, keypair: Keypair, opts?: CreateRepoOptions): { cid: string; rev: string } {
    const { cid, rev } = createRepoInTx(this.deps, did, keypair, opts)
    return { cid: cid.toString(), rev }
  }

  deleteRepoInTx(did: string): void {
    deleteRepoInTx(this.deps, did)
  }

  /** Announces the repository's current commit with a #sync event (e.g. on reactivation). */
  sequenceSyncInTx(did: string): number {
    return sequenceSyncInTx(this.deps, did)
  }

  /**
   * The account behind a sync.* request for `did`: RepoNotFound, RepoTakendown or
   * RepoDeactivated, except for the account itself (`requesterDid`).
   */
  availableRepo(did: string, requesterDid: string | null): RepoAccount {
    return availableRepo(this.deps.accounts, did, requesterDid)
  }

  getRoot(did: string): RepoRoot | undefined {
    return this.deps.storage.roots.get(did)
  }

  /** What checkAccountStatus reports: the commit, block and record counts, blobs expected and held. */
  accountRepoStats(did: string): RepoStats {
    const { storage } = this.deps
    const root = storage.roots.get(did)
    if (!root) throw new InvalidRequestError(`No repo root found for ${did}`)
    const blobs = storage.recordBlobs.counts(did)
    return {
      commit: root.cid.toString(),
      rev: root.rev,
      blocks: storage.blocks.count(did),
      records: storage.records.count(did),
      expectedBlobs: blobs.expected,
      importedBlobs: blobs.stored,
    }
  }

  async createRecord(authDid: string, input: CreateRecordInput): Promise<WriteResult> {
    const { did } = writableRepo(this.deps.accounts, input.repo, authDid)
    const write = prepareRecordWrite(this.deps.lexicons, this.deps.tid, 'create', input)
    const { commit, writes } = await commitWrites(this.deps, {
      did,
      writes: [write],
      swapCommit: optionalCid(input.swapCommit),
      replaceBacklinks: input.validate !== false,
    })
    return writeResult(writes[0]!, commit)
  }

  async putRecord(authDid: string, input: PutRecordInput): Promise<WriteResult> {
    const { did } = writableRepo(this.deps.accounts, input.repo, authDid)
    const swapRecord = input.swapRecord === null ? null : optionalCid(input.swapRecord)
    const write = prepareRecordWrite(this.deps.lexicons, this.deps.tid, 'put', { ...input, swapRecord })
    const { commit, writes } = await commitWrites(this.deps, {
      did,
      writes: [write],
      swapCommit: optionalCid(input.swapCommit),
      dropNoops: true,
    })
    if (writes[0]) return writeResult(writes[0], commit)
    const uri = `at://${did}/${write.collection}/${write.rkey}`
    return { uri, cid: write.cid!, commit: null, validationStatus: write.validationStatus }
  }

  /** Deleting a record that does not exist is a no-op (no commit), as in the reference. */
  async deleteRecord(authDid: string, input: DeleteRecordInput): Promise<{ commit: CommitRef | null }> {
    const { did } = writableRepo(this.deps.accounts, input.repo, authDid)
    const write = prepareDelete({ ...input, swapRecord: optionalCid(input.swapRecord) })
    const { commit } = await commitWrites(this.deps, {
      did,
      writes: [write],
      swapCommit: optionalCid(input.swapCommit),
      dropNoops: true,
    })
    return { commit }
  }

  async applyWrites(
    authDid: string,
    input: ApplyWritesInput,
  ): Promise<{ commit: CommitRef; results: CommittedWrite[] }> {
    const { did } = writableRepo(this.deps.accounts, input.repo, authDid)
    if (input.writes.length > MAX_WRITES_PER_COMMIT) {
      throw new InvalidRequestError(`Too many writes. Max: ${MAX_WRITES_PER_COMMIT}`)
    }
    const writes = input.writes.map((write) => this.prepareApplyWrite(write, input.validate))
    const result = await commitWrites(this.deps, { did, writes, swapCommit: optionalCid(input.swapCommit) })
    // Without dropNoops nothing is skipped, so there always is a commit (an empty one for no writes).
    return { commit: result.commit!, results: [...result.writes] }
  }

  getRecord(params: { repo: string; collection: string; rkey: string; cid?: string }): reads.RecordView {
    return reads.getRecord(this.deps, { ...params, cid: optionalCid(params.cid) })
  }

  listRecords(params: {
    repo: string
    collection: string
    limit: number
    cursor?: string
    reverse?: boolean
  }): reads.RecordPage {
    return reads.listRecords(this.deps, params)
  }

  describeRepo(repo: string): Promise<reads.RepoDescription> {
    return reads.describeRepo(this.deps, repo)
  }

  /** The repository as a CAR byte stream, from a consistent snapshot. */
  exportRepoCar(did: string): AsyncGenerator<Uint8Array> {
    return exportRepoCar(this.deps.storage, did)
  }

  /** Replaces the account's repository with the one in the CAR (see import.ts). */
  importRepo(did: string, car: ReadableStream<Uint8Array>): Promise<CommitRef> {
    return importRepo(this.deps, did, car)
  }

  private prepareApplyWrite(
    write: ApplyWritesInput['writes'][number],
    validate: boolean | undefined,
  ): PreparedWrite {
    const { collection, rkey } = write
    switch (write.$type) {
      case `${WRITE_TYPE}create`:
        return prepareRecordWrite(this.deps.lexicons, this.deps.tid, 'create', {
          collection,
          rkey,
          validate,
          record: write.value,
        })
      case `${WRITE_TYPE}update`:
        return prepareRecordWrite(this.deps.lexicons, this.deps.tid, 'update', {
          collection,
          rkey,
          validate,
          record: write.value,
        })
      case `${WRITE_TYPE}delete`:
        return prepareDelete({ collection, rkey: rkey ?? '' })
      default:
        throw new InvalidRequestError(`Action not supported: ${write.$type}`)
    }
  }
}

function writeResult(write: CommittedWrite, commit: CommitRef | null): WriteResult {
  return {
    uri: write.uri,
    cid: write.cid!,
    commit,
    validationStatus: write.validationStatus,
  }
}

function optionalCid(value: string | undefined): CID | undefined {
  return value === undefined ? undefined : parseCid(value)
}
