import { describe, expect, test } from 'bun:test'
import { Secp256k1Keypair } from '@atproto/crypto'
import { parseCid as theirCid } from '@atproto/lex-data'
import { cborToLex, signCommit as theirSignCommit, verifyCommitSig } from '@atproto/repo'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { encodeCbor } from '../../../src/core/cbor.ts'
import { cidForCbor, cidForRaw } from '../../../src/core/cid.ts'
import {
  type Commit,
  decodeCommit,
  encodeCommit,
  InvalidCommitError,
  signCommit,
  type UnsignedCommit,
  verifyCommitSignature,
} from '../../../src/core/repo/index.ts'

const secretKey = secp256k1.utils.randomSecretKey()
const publicKey = secp256k1.getPublicKey(secretKey)
const signer = {
  sign: (message: Uint8Array) => secp256k1.sign(message, secretKey, { prehash: true, lowS: true }),
}
const verify = (message: Uint8Array, sig: Uint8Array) =>
  secp256k1.verify(sig, message, publicKey, { prehash: true, lowS: true })

const unsigned: UnsignedCommit = {
  did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
  version: 3,
  data: cidForCbor(encodeCbor({ l: null, e: [] })),
  rev: '3jzfcijpj2z2a',
  prev: null,
}

describe('commit signing', () => {
  test('a signed commit verifies, and fails once any field changes', () => {
    const commit = signCommit(unsigned, signer)
    expect(verifyCommitSignature(commit, verify)).toBe(true)
    expect(verifyCommitSignature({ ...commit, rev: '3jzfcijpj2z2b' }, verify)).toBe(false)
    expect(verifyCommitSignature({ ...commit, data: cidForCbor(encodeCbor({ x: 1 })) }, verify)).toBe(false)
  })

  test('a commit we sign verifies with @atproto/repo and a did:key of the same key', async () => {
    const keypair = await Secp256k1Keypair.import(secretKey)
    const { bytes } = encodeCommit(signCommit(unsigned, signer))
    const theirs = cborToLex(bytes) as Parameters<typeof verifyCommitSig>[0]
    expect(await verifyCommitSig(theirs, keypair.did())).toBe(true)
  })

  test('a commit signed by @atproto/repo decodes, verifies and re-encodes to the same bytes', async () => {
    const keypair = await Secp256k1Keypair.import(secretKey)
    const theirs = await theirSignCommit({ ...unsigned, data: theirCid(unsigned.data.toString()) }, keypair)
    const bytes = encodeCbor(theirs)
    const decoded = decodeCommit(bytes)
    expect(verifyCommitSignature(decoded, verify)).toBe(true)
    expect(encodeCommit(decoded).bytes).toEqual(bytes)
    expect(encodeCommit(decoded).cid.equals(cidForCbor(bytes))).toBe(true)
  })
})

describe('decodeCommit', () => {
  const commit = signCommit(unsigned, signer)
  const withField = (changes: Record<string, unknown>) => encodeCbor({ ...commit, ...changes })

  test('round-trips a commit', () => {
    const decoded: Commit = decodeCommit(encodeCommit(commit).bytes)
    expect(decoded).toEqual(commit)
  })

  test('accepts a prev link', () => {
    const prev = cidForCbor(encodeCbor({ old: true }))
    expect(decodeCommit(withField({ prev })).prev?.equals(prev)).toBe(true)
  })

  test.each([
    ['version 2', { version: 2 }],
    ['a string version', { version: '3' }],
    ['a malformed did', { did: 'plc:abc' }],
    ['a rev that is not a TID', { rev: 'not-a-tid' }],
    ['a signature that is not bytes', { sig: 'abc' }],
    ['data that is not a link', { data: 'bafy' }],
    ['data linking to raw bytes', { data: cidForRaw(new Uint8Array([1])) }],
    ['an unknown extra field', { extra: 1 }],
  ])('rejects a commit with %s', (_, changes) => {
    expect(() => decodeCommit(withField(changes))).toThrow(InvalidCommitError)
  })

  test('rejects a commit without prev and a value that is not a map', () => {
    const { prev: _prev, ...noPrev } = commit
    expect(() => decodeCommit(encodeCbor(noPrev))).toThrow(InvalidCommitError)
    expect(() => decodeCommit(encodeCbor([1, 2]))).toThrow(InvalidCommitError)
  })
})
