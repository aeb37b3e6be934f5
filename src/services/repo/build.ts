/**
 * Builds the repository side of the context in dependency order: the statement bundles, the
 * sequencer, the blob service (disk store under `<data_dir>/blobs`), the repo service and the
 * preferences. The accounts service is passed in (the repo signs with its keys).
 */
import { join } from 'node:path'
import type { Lexicons } from '../../core/lexicon/index.ts'
import type { TidClock } from '../../core/tid-clock.ts'
import type { Logger } from '../../lib/logger.ts'
import { BLOB_DIR, DiskBlobStore } from '../../storage/blob-store/index.ts'
import type { Db } from '../../storage/database.ts'
import { TakedownStore } from '../../storage/moderation/index.ts'
import { RepoStorage } from '../../storage/repo/index.ts'
import { BlobService, type BlobSweepOptions } from '../blobs/index.ts'
import { PreferencesService } from '../preferences/index.ts'
import { Sequencer } from '../sequencer/index.ts'
import { RepoService } from './service.ts'
import type { RepoAccounts } from './types.ts'

export interface RepoServicesOptions {
  readonly db: Db
  readonly dataDir: string
  readonly logger: Logger
  readonly lexicons: Lexicons
  readonly tid: TidClock
  readonly accounts: RepoAccounts
  readonly resolveDidDoc: (did: string) => Promise<unknown>
  readonly blobSweep?: BlobSweepOptions
}

export interface RepoServices {
  readonly sequencer: Sequencer
  readonly blobs: BlobService
  readonly repo: RepoService
  readonly preferences: PreferencesService
}

export function buildRepoServices(opts: RepoServicesOptions): RepoServices {
  const storage = new RepoStorage(opts.db)
  const sequencer = new Sequencer(opts.db, storage.events, opts.logger)
  const store = new DiskBlobStore(join(opts.dataDir, BLOB_DIR))
  const blobs = new BlobService(storage, store, opts.logger, opts.blobSweep)
  const repo = new RepoService({
    storage,
    sequencer,
    blobs,
    tid: opts.tid,
    accounts: opts.accounts,
    lexicons: opts.lexicons,
    resolveDidDoc: opts.resolveDidDoc,
    takedowns: new TakedownStore(opts.db),
  })
  return { sequencer, blobs, repo, preferences: new PreferencesService(storage) }
}
