/**
 * The repo tables' statement bundles: the block reader, snapshots that do not see later writes,
 * import staging, event seqs that are never reused, record listing order and collections.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBlock } from '../../../src/core/cbor.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'
import { RepoSnapshot, RepoStorage } from '../../../src/storage/repo/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-repo-storage-'))
const db = Db.open(join(dir, 'test.sqlite'))
migrate(db)
const storage = new RepoStorage(db)
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const DID = 'did:plc:storagetest'
const block = (n: number) => encodeBlock({ n })

describe('blocks and roots', () => {
  test('the reader returns stored blocks of its own repository only', () => {
    const a = block(1)
    storage.blocks.putMany(DID, [a], '3kaaaaaaaaaa2')
    expect(storage.blocks.reader(DID).get(a.cid)).toEqual(a.bytes)
    expect(storage.blocks.reader('did:plc:other').get(a.cid)).toBeUndefined()
    storage.blocks.deleteMany(DID, [a.cid])
    expect(storage.blocks.reader(DID).get(a.cid)).toBeUndefined()
  })

  test('a record block is kept while another record still uses it', () => {
    const rec = block(2)
    storage.blocks.putMany(DID, [rec], '3kaaaaaaaaaa2')
    storage.records.put(DID, 'app.bsky.feed.post', '3kaaaaaaaaaa2', rec.cid, '3kaaaaaaaaaa2')
    storage.blocks.deleteRecordBlockIfUnused(DID, rec.cid)
    expect(storage.blocks.reader(DID).get(rec.cid)).toEqual(rec.bytes)
    storage.records.delete(DID, 'app.bsky.feed.post', '3kaaaaaaaaaa2')
    storage.blocks.deleteRecordBlockIfUnused(DID, rec.cid)
    expect(storage.blocks.reader(DID).get(rec.cid)).toBeUndefined()
  })

  test('a snapshot keeps seeing the state it started with', () => {
    const first = block(3)
    const second = block(4)
    storage.roots.set(DID, { cid: first.cid, data: first.cid, rev: '3kaaaaaaaaaa2' })
    storage.blocks.putMany(DID, [first], '3kaaaaaaaaaa2')
    const snapshot = RepoSnapshot.open(db.path)
    try {
      db.transaction(() => {
        storage.roots.set(DID, { cid: second.cid, data: second.cid, rev: '3kaaaaaaaaaa3' })
        storage.blocks.deleteMany(DID, [first.cid])
      })
      expect(snapshot.root(DID)?.rev).toBe('3kaaaaaaaaaa2')
      expect(snapshot.reader(DID).get(first.cid)).toEqual(first.bytes)
      expect(storage.roots.get(DID)?.rev).toBe('3kaaaaaaaaaa3')
    } finally {
      snapshot.close()
    }
  })
})

describe('records', () => {
  test('lists by rkey in either direction and enumerates collections', () => {
    const rec = block(5)
    storage.blocks.putMany(DID, [rec], '3kaaaaaaaaaa2')
    for (const collection of ['app.bsky.feed.like', 'app.bsky.feed.post', 'app.bsky.graph.follow']) {
      for (const rkey of ['a', 'b', 'c']) storage.records.put(DID, collection, rkey, rec.cid, '3kaaaaaaaaaa2')
    }
    const keys = (rows: { rkey: string }[]) => rows.map((row) => row.rkey)
    expect(keys(storage.records.list(DID, 'app.bsky.feed.post', { limit: 10 }))).toEqual(['c', 'b', 'a'])
    expect(keys(storage.records.list(DID, 'app.bsky.feed.post', { limit: 10, cursor: 'c' }))).toEqual([
      'b',
      'a',
    ])
    expect(keys(storage.records.list(DID, 'app.bsky.feed.post', { limit: 2, reverse: true }))).toEqual([
      'a',
      'b',
    ])
    expect(
      keys(storage.records.list(DID, 'app.bsky.feed.post', { limit: 9, reverse: true, cursor: 'a' })),
    ).toEqual(['b', 'c'])
    expect(storage.records.collections(DID)).toEqual([
      'app.bsky.feed.like',
      'app.bsky.feed.post',
      'app.bsky.graph.follow',
    ])
    expect(storage.records.collections('did:plc:nobody')).toEqual([])
  })
})

describe('events', () => {
  test('seqs increase and are not reused after the newest events are gone', () => {
    const append = () =>
      db.transaction(() => {
        const seq = storage.events.lastSeq() + 1
        storage.events.append({
          seq,
          did: DID,
          type: 'identity',
          event: new Uint8Array([seq]),
          sequencedAt: '',
        })
        return seq
      })
    const a = append()
    const b = append()
    expect(b).toBe(a + 1)
    storage.events.deleteForDid(DID)
    expect(append()).toBe(b + 1)
    expect(storage.events.after(a, 10).map((e) => e.seq)).toEqual([b + 1])
  })
})

describe('import staging', () => {
  test('stages blocks per import and forgets them when cleared', () => {
    const staging = storage.importStaging
    const one = staging.begin()
    const two = staging.begin()
    const a = block(6)
    staging.add(one, [a])
    expect(staging.reader(one).get(a.cid)).toEqual(a.bytes)
    expect(staging.reader(two).get(a.cid)).toBeUndefined()
    staging.clear(one)
    expect(staging.reader(one).get(a.cid)).toBeUndefined()
  })
})
