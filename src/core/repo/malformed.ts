/**
 * The errors that mean a repository's bytes are malformed (spec: repository "CAR File
 * Serialization", "Commit Objects", "MST Structure"): CAR framing, DAG-CBOR, CIDs, the commit
 * object, MST nodes and keys, and a block the tree names that the CAR lacks. Anything else
 * thrown while reading a repository is a bug or an I/O failure, not bad input.
 */
import { MissingBlockError } from '../block-reader.ts'
import { CarError } from '../car-format.ts'
import { CborError } from '../cbor.ts'
import { InvalidCidError } from '../cid.ts'
import { InvalidMstKeyError, InvalidMstNodeError } from '../mst/index.ts'
import { InvalidCommitError } from './commit.ts'

const MALFORMED_REPO_ERRORS = [
  CarError,
  CborError,
  InvalidCidError,
  InvalidCommitError,
  InvalidMstNodeError,
  InvalidMstKeyError,
  MissingBlockError,
]

/** True for an error that reading a malformed repository (CAR, commit or tree) raises. */
export function isMalformedRepoError(err: unknown): err is Error {
  return MALFORMED_REPO_ERRORS.some((type) => err instanceof type)
}
