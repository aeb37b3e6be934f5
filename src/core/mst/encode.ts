/**
 * Wire form of MST nodes: `{ l: CID | null, e: [{ p, k, v, t }] }` in DAG-CBOR.
 * Spec: repository "MST Structure" (node schema, mandatory prefix compression) and "CID Formats".
 *
 * Tricky bits: `l` and `t` are always present (null when absent); the first entry has `p = 0`;
 * `p` must be exactly the shared prefix with the previous key (anything else re-encodes to a
 * different CID); links to nodes must use the blessed CID format, links to records may not.
 * Decoding validates all of that plus key syntax and strict key order; depth checks need the
 * node's position in the tree and live in node.ts. The canonical layout is read and written by
 * cbor-node.ts; anything else goes through the generic strict decoder.
 */
import { decodeCbor } from '../cbor.ts'
import { CID, DAG_CBOR_CODEC, SHA256_CODE } from '../cid.ts'
import {
  asciiString,
  type RawEntry,
  type RawNode,
  readCanonicalNode,
  writeCanonicalNode,
} from './cbor-node.ts'
import { InvalidMstNodeError } from './errors.ts'
import { commonPrefixLength, isValidMstKey } from './key.ts'

export interface WireEntry {
  readonly key: string
  readonly value: CID
  readonly right: CID | null
}

export interface WireNode {
  readonly left: CID | null
  readonly entries: readonly WireEntry[]
}

/**
 * Wire nodes by the bytes object they were encoded to or decoded from (blocks are immutable, and
 * wire nodes are plain data). A write encodes its new nodes and then reads them back through an
 * overlay to prove the commit; this spares decoding them again.
 */
const known = new WeakMap<Uint8Array, WireNode>()

export function encodeNodeData(node: WireNode): Uint8Array {
  let prev = ''
  const entries = node.entries.map((entry) => {
    const p = commonPrefixLength(prev, entry.key)
    prev = entry.key
    return { p, k: entry.key.slice(p), v: entry.value, t: entry.right }
  })
  const bytes = writeCanonicalNode(node.left, entries)
  known.set(bytes, node)
  return bytes
}

/** Decodes and validates a node (memoized per bytes object). */
export function decodeNodeData(bytes: Uint8Array): WireNode {
  const cached = known.get(bytes)
  if (cached) return cached
  const node = decodeFresh(bytes)
  known.set(bytes, node)
  return node
}

function decodeFresh(bytes: Uint8Array): WireNode {
  const raw = readCanonicalNode(bytes) ?? readGenericNode(bytes)
  const entries: WireEntry[] = []
  let prev = ''
  for (const entry of raw.e) {
    const key = entryKey(entry, prev)
    if (entries.length > 0 && key <= prev) throw new InvalidMstNodeError(`MST node keys out of order: ${key}`)
    entries.push({ key, value: entry.v, right: nodeLink(entry.t, 't') })
    prev = key
  }
  return { left: nodeLink(raw.l, 'l'), entries }
}

function entryKey(entry: RawEntry, prev: string): string {
  const { p, k } = entry
  if (p > prev.length) throw new InvalidMstNodeError(`MST entry has an invalid prefix length: ${p}`)
  const key = prev.slice(0, p) + asciiString(k)
  if (!isValidMstKey(key)) throw new InvalidMstNodeError(`MST entry has an invalid key: ${key.slice(0, 100)}`)
  if (commonPrefixLength(prev, key) !== p) {
    throw new InvalidMstNodeError(`MST entry prefix is not maximally compressed: ${key}`)
  }
  return key
}

/** Any valid DAG-CBOR node with the required fields (extra fields are ignored). */
function readGenericNode(bytes: Uint8Array): RawNode {
  let data: Record<string, unknown>
  try {
    data = decodeCbor<Record<string, unknown>>(bytes)
  } catch (err) {
    throw new InvalidMstNodeError(`MST node is not valid DAG-CBOR: ${(err as Error).message}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !Array.isArray(data.e)) {
    throw new InvalidMstNodeError('MST node is not a map with an entry array')
  }
  if (data.l !== null && !CID.asCID(data.l)) throw new InvalidMstNodeError('MST node field l is not a link')
  const e = (data.e as unknown[]).map((raw): RawEntry => {
    if (raw === null || typeof raw !== 'object') throw new InvalidMstNodeError('MST entry is not a map')
    const { p, k, v, t } = raw as Record<string, unknown>
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) {
      throw new InvalidMstNodeError(`MST entry has an invalid prefix length: ${String(p)}`)
    }
    if (!(k instanceof Uint8Array)) throw new InvalidMstNodeError('MST entry key suffix is not bytes')
    const value = CID.asCID(v)
    if (!value) throw new InvalidMstNodeError('MST entry value is not a CID link')
    if (t !== null && !CID.asCID(t)) throw new InvalidMstNodeError('MST entry field t is not a link')
    return { p, k, v: value, t: t === null ? null : CID.asCID(t) }
  })
  return { l: data.l === null ? null : CID.asCID(data.l), e }
}

/** Links between MST nodes must be CIDv1, dag-cbor, sha2-256 (spec: "CID Formats"). */
function nodeLink(value: CID | null, field: string): CID | null {
  if (value === null) return null
  const cid = asBlessedCborCid(value)
  if (!cid) throw new InvalidMstNodeError(`MST node field ${field} is not a valid node link`)
  return cid
}

/** The value as a CID when it is a "blessed" link to DAG-CBOR data (v1, dag-cbor, sha2-256). */
export function asBlessedCborCid(value: unknown): CID | null {
  const cid = value === undefined ? null : CID.asCID(value)
  if (cid?.version !== 1 || cid.code !== DAG_CBOR_CODEC) return null
  return cid.multihash.code === SHA256_CODE && cid.multihash.size === 32 ? cid : null
}
