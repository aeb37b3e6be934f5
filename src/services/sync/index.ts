/** The repository side of com.atproto.sync: exports, proofs, blocks and listings. */
export {
  type HostedRepo,
  type HostingStatus,
  type Page,
  type RepoStatusView,
  SyncService,
  type SyncServiceDeps,
} from './sync-service.ts'
