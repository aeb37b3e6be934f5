/**
 * The Merkle Search Tree of atproto repositories (spec: repository "MST Structure").
 * `Mst` is the persistent tree; `diff`, `proveKey`, `commitProof` and `invertOps` work on roots.
 */

export type { DiffAction, MstDiff, MstOp } from './diff.ts'
export { asBlessedCborCid } from './encode.ts'
export { InvalidMstNodeError, MstInversionError, MstKeyExistsError, MstKeyNotFoundError } from './errors.ts'
export {
  commonPrefixLength,
  ensureValidMstKey,
  InvalidMstKeyError,
  isValidMstKey,
  keyHeight,
  MAX_KEY_BYTES,
} from './key.ts'
export { diff, type ListOptions, Mst } from './mst.ts'
export { type CommitProof, commitProof, invertOps, proveKey } from './proof.ts'
export { overlayReader, recordingReader } from './readers.ts'
export type { KeyRange, Leaf } from './walk.ts'
