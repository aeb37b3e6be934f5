/**
 * The repository tables as prepared-statement bundles, built once per database. Every method is
 * synchronous, so a whole commit (blocks, index, root, event) runs inside one transaction.
 */
import type { Db } from '../database.ts'
import { RecordBacklinks } from './backlinks.ts'
import { BlobRows } from './blobs.ts'
import { RepoBlocks } from './blocks.ts'
import { EventLog } from './events.ts'
import { ImportStaging } from './import-staging.ts'
import { PreferenceRows } from './preferences.ts'
import { RecordBlobs } from './record-blobs.ts'
import { RecordIndex } from './records.ts'
import { RepoRoots } from './roots.ts'

export type { Backlink } from './backlinks.ts'
export type { BlobRow, QueuedDeletion } from './blobs.ts'
export type { StoredBlock } from './blocks.ts'
export type { StoredEvent } from './events.ts'
export type { PreferenceRow } from './preferences.ts'
export type { MissingBlobRow } from './record-blobs.ts'
export type { ListRecordsOptions, RecordRow } from './records.ts'
export type { RepoRoot } from './roots.ts'
export { type RecordBlock, RepoSnapshot, SnapshotUnavailableError } from './snapshot.ts'
export {
  BlobRows,
  EventLog,
  ImportStaging,
  PreferenceRows,
  RecordBacklinks,
  RecordBlobs,
  RecordIndex,
  RepoBlocks,
  RepoRoots,
}

export class RepoStorage {
  readonly blocks: RepoBlocks
  readonly roots: RepoRoots
  readonly records: RecordIndex
  readonly recordBlobs: RecordBlobs
  readonly backlinks: RecordBacklinks
  readonly blobs: BlobRows
  readonly events: EventLog
  readonly preferences: PreferenceRows
  readonly importStaging: ImportStaging

  constructor(readonly db: Db) {
    this.blocks = new RepoBlocks(db)
    this.roots = new RepoRoots(db)
    this.records = new RecordIndex(db)
    this.recordBlobs = new RecordBlobs(db)
    this.backlinks = new RecordBacklinks(db)
    this.blobs = new BlobRows(db)
    this.events = new EventLog(db)
    this.preferences = new PreferenceRows(db)
    this.importStaging = new ImportStaging(db)
  }
}
