/**
 * The disk blob store: uploads streamed to temp files with their hash and size, hard-linked into
 * place, served whole or by range, removed idempotently, and stale temp files swept.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cidForRaw, sha256 } from '../../../src/core/cid.ts'
import { DiskBlobStore, TempBlobMissingError } from '../../../src/storage/blob-store/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-blobstore-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const store = new DiskBlobStore(dir)
const DID = 'did:web:example.com%3A8080'
const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256)

const read = async (s: ReadableStream<Uint8Array> | null) =>
  new Uint8Array(await new Response(s).arrayBuffer())

describe('DiskBlobStore', () => {
  test('putTemp hashes and counts while writing, makePermanent links the file into place', async () => {
    const temp = await store.putTemp(new Blob([bytes]).stream())
    expect(temp.size).toBe(bytes.length)
    expect(temp.sha256).toEqual(sha256(bytes))
    const cid = cidForRaw(bytes)
    await store.makePermanent(DID, cid, temp.key)
    await store.makePermanent(DID, cid, temp.key) // already there: nothing to do
    expect(existsSync(join(dir, encodeURIComponent(DID), cid.toString()))).toBe(true)
    await store.deleteTemp(temp.key)
    expect(await read(await store.get(DID, cid))).toEqual(bytes)
    expect(await read(await store.get(DID, cid, { start: 99_990, end: 100_000 }))).toEqual(
      bytes.slice(99_990),
    )
  })

  test('a missing blob is null, a missing temp copy a TempBlobMissingError, deletes are idempotent', async () => {
    const cid = cidForRaw(new Uint8Array([9]))
    expect(await store.get(DID, cid)).toBeNull()
    await expect(store.makePermanent(DID, cid, '0'.repeat(32))).rejects.toBeInstanceOf(TempBlobMissingError)
    await store.delete(DID, cid)
    await store.deleteTemp('0'.repeat(32))
    await expect(store.deleteTemp('../../etc/passwd')).rejects.toThrow('invalid temp blob key')
  })

  test('sweepTemp removes temp files older than the cutoff only', async () => {
    const old = await store.putTemp(new Blob([bytes.subarray(0, 10)]).stream())
    const fresh = await store.putTemp(new Blob([bytes.subarray(0, 20)]).stream())
    const past = new Date(Date.now() - 3_600_000)
    utimesSync(join(dir, 'tmp', old.key), past, past)
    expect(await store.sweepTemp(new Date(Date.now() - 60_000))).toBe(1)
    expect(readdirSync(join(dir, 'tmp'))).toEqual([fresh.key])
  })
})
