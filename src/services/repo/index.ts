export { buildRepoServices, type RepoServices, type RepoServicesOptions } from './build.ts'
export type { CreateRepoOptions } from './lifecycle.ts'
export type { RecordPage, RecordView, RepoDescription } from './reads.ts'
export {
  type ApplyWritesInput,
  type CreateRecordInput,
  type DeleteRecordInput,
  MAX_WRITES_PER_COMMIT,
  type PutRecordInput,
  RepoService,
  type RepoServiceDeps,
  type RepoStats,
  type WriteResult,
} from './service.ts'
export type { CommitRef, CommittedWrite, RepoAccount, RepoAccounts, ValidationStatus } from './types.ts'
