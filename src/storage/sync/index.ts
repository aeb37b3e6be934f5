/**
 * Storage of the sync side: reads over the repo and event tables the repo service writes, the
 * event-log pruning, and the crawler status table.
 */
export { type CrawlerAttempt, type CrawlerStatus, CrawlerStatusRows } from './crawler-status.ts'
export { type EventMark, EventWindow } from './event-window.ts'
export { type HostedRepoKey, type HostedRepoRow, RepoListing } from './repo-listing.ts'
export { RepoReads, type SyncRoot } from './repo-reads.ts'
