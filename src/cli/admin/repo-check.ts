/**
 * The offline check behind `perlsky admin repo verify`: a repository CAR is read into memory
 * (the reader verifies every block's CID against its bytes), then its commit is decoded (v3,
 * exact fields), the MST is walked from the commit's data root (every node decodes canonically,
 * every key sits at the depth its hash gives and keys strictly increase: the checks the MST code
 * makes as it loads nodes), and every leaf must be a `collection/rkey` path whose record block is
 * present and is a DAG-CBOR map. The commit signature is checked by the caller, which knows the
 * key. Spec: repository "Commit Objects", "MST Structure", "CAR File Serialization".
 */
import { BlockMap, readBlock } from '../../core/block-reader.ts'
import { type CarSource, readCar } from '../../core/car.ts'
import { singleRoot } from '../../core/car-reader.ts'
import { decodeCbor } from '../../core/cbor.ts'
import { type CID, cidKey } from '../../core/cid.ts'
import { verifySignature } from '../../core/crypto/verify.ts'
import { Mst } from '../../core/mst/index.ts'
import {
  type Commit,
  decodeCommit,
  isMalformedRepoError,
  verifyCommitSignature,
} from '../../core/repo/index.ts'
import { isValidNsid, isValidRecordKey } from '../../core/syntax/index.ts'

/** Why a CAR is not a valid repository; the message names the first problem found. */
export class InvalidRepoCarError extends Error {
  override name = 'InvalidRepoCarError'
}

export interface RepoCarContents {
  readonly root: CID
  readonly blocks: BlockMap
  /** Sections in the file (a block present twice counts twice). */
  readonly sections: number
  readonly bytes: number
}

export interface RepoStructure {
  readonly commit: Commit
  readonly commitCid: string
  readonly records: number
  /** Records per collection, in collection order. */
  readonly collections: Record<string, number>
  readonly mstNodes: number
  /** Blocks in the CAR that the commit does not reach (allowed, but not part of the repo). */
  readonly unreferencedBlocks: number
}

/** Reads a single-root CAR into memory, verifying every block's CID. */
export async function readRepoCar(source: CarSource): Promise<RepoCarContents> {
  try {
    const { roots, blocks: stream } = await readCar(source)
    const root = singleRoot(roots)
    const blocks = new BlockMap()
    let sections = 0
    let bytes = 0
    for await (const block of stream) {
      blocks.set(block.cid, block.bytes)
      sections += 1
      bytes += block.bytes.length
    }
    return { root, blocks, sections, bytes }
  } catch (err) {
    throw asInvalidRepo(err)
  }
}

/** Checks the commit and the whole tree; throws InvalidRepoCarError. */
export function checkRepoStructure(car: RepoCarContents): RepoStructure {
  try {
    const commit = decodeCommit(readBlock(car.blocks, car.root))
    const reached = new Set([cidKey(car.root)])
    const tree = Mst.load(car.blocks, commit.data)
    let mstNodes = 0
    for (const cid of tree.allNodeCids()) {
      reached.add(cidKey(cid))
      mstNodes += 1
    }
    const collections: Record<string, number> = {}
    let records = 0
    for (const leaf of tree.walkLeaves()) {
      checkRecord(leaf.key, readBlock(car.blocks, leaf.cid))
      reached.add(cidKey(leaf.cid))
      const collection = leaf.key.slice(0, leaf.key.indexOf('/'))
      collections[collection] = (collections[collection] ?? 0) + 1
      records += 1
    }
    return {
      commit,
      commitCid: car.root.toString(),
      records,
      collections,
      mstNodes,
      unreferencedBlocks: car.blocks.size - reached.size,
    }
  } catch (err) {
    throw asInvalidRepo(err)
  }
}

/** Whether the commit's signature verifies with the did:key (InvalidKeyError for a malformed key). */
export function commitSignatureValid(commit: Commit, didKey: string): boolean {
  return verifyCommitSignature(commit, (msg, sig) => verifySignature(didKey, msg, sig))
}

function checkRecord(path: string, bytes: Uint8Array): void {
  const slash = path.indexOf('/')
  if (slash < 0 || !isValidNsid(path.slice(0, slash)) || !isValidRecordKey(path.slice(slash + 1))) {
    throw new InvalidRepoCarError(`${path} is not a record path (collection/rkey)`)
  }
  const record = decodeCbor(bytes)
  // A DAG-CBOR map decodes to a plain object; arrays, bytes and CID links do not.
  if (typeof record !== 'object' || record === null || Object.getPrototypeOf(record) !== Object.prototype) {
    throw new InvalidRepoCarError(`the record at ${path} is not a map`)
  }
}

/** The reader's and decoders' errors, as InvalidRepoCarError; anything else unchanged. */
function asInvalidRepo(err: unknown): unknown {
  if (!isMalformedRepoError(err)) return err
  return new InvalidRepoCarError(err.message, { cause: err })
}
