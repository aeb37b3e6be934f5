/**
 * Repository commits (v3) and the write path (spec: repository "Commit Objects").
 */
export {
  type Commit,
  type CommitSigner,
  decodeCommit,
  encodeCommit,
  InvalidCommitError,
  signCommit,
  type UnsignedCommit,
  unsignedCommitBytes,
  verifyCommitSignature,
} from './commit.ts'
export { DuplicateWritePathError, RecordExistsError, RecordNotFoundError, StaleRevError } from './errors.ts'
export { isMalformedRepoError } from './malformed.ts'
export {
  type AppliedWrites,
  type ApplyWritesInput,
  applyRepoWrites,
  type RepoOp,
  type RepoWrite,
} from './write.ts'
