/**
 * The repository over HTTP with the official client (@atproto/api): record writes and reads,
 * swaps, validation errors, paging, blobs (upload, use, download with ranges and the security
 * headers), import with missing blobs, preferences, and response compression. After every
 * scenario the stored repository is verified with @atproto/repo.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair as TheirKeypair } from '@atproto/crypto'
import { getFullRepo, MemoryBlockstore, Repo } from '@atproto/repo'
import { cidForRaw } from '../../src/core/cid.ts'
import { outputResponse } from '../../src/http/xrpc/output.ts'
import { failure, type SignedUp, signUp, verifyRepo } from '../helpers/agents.ts'
import { pngBytes } from '../helpers/blobs.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
let alice: SignedUp
let bob: SignedUp
beforeAll(async () => {
  h = await startHarness()
  alice = await signUp(h, 'alice')
  bob = await signUp(h, 'bob')
})
afterAll(() => h.stop())

const POST = 'app.bsky.feed.post'
const post = (text: string) => ({ $type: POST, text, createdAt: new Date().toISOString() })
const rkeyOf = (uri: string) => uri.split('/').at(-1)!
const PNG = pngBytes(Array.from({ length: 20_000 }, (_, i) => (i * 13) % 256))

describe('record writes', () => {
  test('createRecord, putRecord, deleteRecord and applyWrites', async () => {
    const repo = alice.agent.com.atproto.repo
    const created = await repo.createRecord({ repo: alice.did, collection: POST, record: post('hello') })
    expect(created.data).toMatchObject({ validationStatus: 'valid', commit: { rev: expect.any(String) } })
    const profile = { $type: 'app.bsky.actor.profile', displayName: 'Alice' }
    const put = await repo.putRecord({
      repo: alice.handle,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: profile,
    })
    const same = await repo.putRecord({
      repo: alice.did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: profile,
    })
    expect(same.data.commit).toBeUndefined()
    expect(same.data.cid).toBe(put.data.cid)
    const applied = await repo.applyWrites({
      repo: alice.did,
      writes: [
        {
          $type: 'com.atproto.repo.applyWrites#create',
          collection: POST,
          rkey: '3kaaaaaaaaaa2',
          value: post('a'),
        },
        {
          $type: 'com.atproto.repo.applyWrites#update',
          collection: POST,
          rkey: rkeyOf(created.data.uri),
          value: post('b'),
        },
      ],
    })
    expect(applied.data.results?.map((r) => r.$type)).toEqual([
      'com.atproto.repo.applyWrites#createResult',
      'com.atproto.repo.applyWrites#updateResult',
    ])
    const deleted = await repo.deleteRecord({ repo: alice.did, collection: POST, rkey: '3kaaaaaaaaaa2' })
    expect(deleted.data.commit?.rev).toBe(h.ctx.repo.getRoot(alice.did)!.rev)
    const noop = await repo.deleteRecord({ repo: alice.did, collection: POST, rkey: '3kaaaaaaaaaa2' })
    expect(noop.data.commit).toBeUndefined()
    const stored = await verifyRepo(h, alice.did)
    expect(stored.records.get(`${POST}/${rkeyOf(created.data.uri)}`)).toBe(
      (applied.data.results as { cid: string }[])[1]!.cid,
    )
    expect(stored.records.get('app.bsky.actor.profile/self')).toBe(put.data.cid)
    expect(stored.records.size).toBe(2)
  })

  test('getRecord returns the record with its CID; a missing one is RecordNotFound', async () => {
    const created = await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: post('read me'),
    })
    const got = await bob.agent.com.atproto.repo.getRecord({
      repo: alice.handle,
      collection: POST,
      rkey: rkeyOf(created.data.uri),
    })
    expect(got.data).toMatchObject({
      uri: created.data.uri,
      cid: created.data.cid,
      value: { text: 'read me' },
    })
    const missing = await failure(
      bob.agent.com.atproto.repo.getRecord({ repo: alice.did, collection: POST, rkey: '3kzzzzzzzzzz2' }),
    )
    expect(missing).toMatchObject({ status: 400, error: 'RecordNotFound' })
  })

  test('swaps: a stale swapCommit or swapRecord is InvalidSwap and changes nothing', async () => {
    const repo = bob.agent.com.atproto.repo
    const stale = h.ctx.repo.getRoot(bob.did)!.cid.toString()
    const first = await repo.createRecord({ repo: bob.did, collection: POST, record: post('1') })
    const root = h.ctx.repo.getRoot(bob.did)!
    expect(
      await failure(
        repo.createRecord({ repo: bob.did, collection: POST, record: post('2'), swapCommit: stale }),
      ),
    ).toMatchObject({
      status: 400,
      error: 'InvalidSwap',
    })
    const wrongRecord = await failure(
      repo.deleteRecord({ repo: bob.did, collection: POST, rkey: rkeyOf(first.data.uri), swapRecord: stale }),
    )
    expect(wrongRecord).toMatchObject({
      status: 400,
      error: 'InvalidSwap',
      message: `Record was at ${first.data.cid}`,
    })
    expect(h.ctx.repo.getRoot(bob.did)!.cid.equals(root.cid)).toBe(true)
    await verifyRepo(h, bob.did)
  })

  test('invalid records and foreign repos are refused as the reference refuses them', async () => {
    const repo = alice.agent.com.atproto.repo
    const invalid = await failure(
      repo.createRecord({ repo: alice.did, collection: POST, record: { $type: POST, text: 5 } }),
    )
    expect(invalid.status).toBe(400)
    expect(invalid.message).toContain('Record/text')
    const foreign = await failure(repo.createRecord({ repo: bob.did, collection: POST, record: post('x') }))
    expect(foreign.status).toBe(401)
    const unauthenticated = await failure(
      new AtpAgent({ service: h.url }).com.atproto.repo.createRecord({
        repo: alice.did,
        collection: POST,
        record: post('x'),
      }),
    )
    expect(unauthenticated.status).toBe(401)
    await verifyRepo(h, alice.did)
  })

  test('listRecords pages newest first and oldest first with reverse', async () => {
    const carol = await signUp(h, 'carol')
    const rkeys = ['3kbbbbbbbbbb2', '3kbbbbbbbbbb3', '3kbbbbbbbbbb4', '3kbbbbbbbbbb5', '3kbbbbbbbbbb6']
    await carol.agent.com.atproto.repo.applyWrites({
      repo: carol.did,
      writes: rkeys.map((rkey) => ({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: POST,
        rkey,
        value: post(rkey),
      })),
    })
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await bob.agent.com.atproto.repo.listRecords({
        repo: carol.handle,
        collection: POST,
        limit: 2,
        cursor,
      })
      seen.push(...page.data.records.map((r) => rkeyOf(r.uri)))
      cursor = page.data.records.length > 0 ? page.data.cursor : undefined
    } while (cursor)
    expect(seen).toEqual([...rkeys].reverse())
    const reversed = await bob.agent.com.atproto.repo.listRecords({
      repo: carol.did,
      collection: POST,
      limit: 3,
      reverse: true,
    })
    expect(reversed.data.records.map((r) => rkeyOf(r.uri))).toEqual(rkeys.slice(0, 3))
    const described = await bob.agent.com.atproto.repo.describeRepo({ repo: carol.handle })
    expect(described.data).toMatchObject({
      did: carol.did,
      handle: carol.handle,
      collections: [POST],
      handleIsCorrect: true,
    })
    await verifyRepo(h, carol.did)
  })
})

describe('blobs', () => {
  test('upload, reference from a post, download byte for byte with the security headers', async () => {
    const uploaded = await alice.agent.com.atproto.repo.uploadBlob(PNG, {
      encoding: 'application/octet-stream',
    })
    const blob = uploaded.data.blob
    expect({ mime: blob.mimeType, size: blob.size, cid: blob.ref.toString() }).toEqual({
      mime: 'image/png',
      size: PNG.length,
      cid: cidForRaw(PNG).toString(),
    })
    await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: {
        ...post('pic'),
        embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: 'x' }] },
      },
    })
    const url = `${h.url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(alice.did)}&cid=${blob.ref.toString()}`
    const res = await fetch(url, { headers: { 'Accept-Encoding': 'gzip, br' } })
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG)
    expect(
      Object.fromEntries(
        [
          'content-type',
          'content-length',
          'x-content-type-options',
          'content-security-policy',
          'content-disposition',
          'content-encoding',
        ].map((k) => [k, res.headers.get(k)]),
      ),
    ).toEqual({
      'content-type': 'image/png',
      'content-length': String(PNG.length),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'content-disposition': `attachment; filename="${blob.ref.toString()}"`,
      'content-encoding': null,
    })
    const listed = await bob.agent.com.atproto.sync.listBlobs({ did: alice.did })
    expect(listed.data.cids).toEqual([blob.ref.toString()])
    await verifyRepo(h, alice.did)
  })

  test('Range requests get 206 with Content-Range; an unsatisfiable range is 416', async () => {
    const cid = cidForRaw(PNG).toString()
    const url = `${h.url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(alice.did)}&cid=${cid}`
    const part = await fetch(url, { headers: { Range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${PNG.length}`)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(PNG.slice(100, 200))
    const suffix = await fetch(url, { headers: { Range: 'bytes=-10' } })
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(PNG.slice(-10))
    const beyond = await fetch(url, { headers: { Range: `bytes=${PNG.length}-` } })
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe(`bytes */${PNG.length}`)
  })

  test('an upload beyond blob_upload_limit is 413 PayloadTooLarge', async () => {
    const small = await startHarness({ config: { blob_upload_limit: 1000 } })
    try {
      const dave = await signUp(small, 'dave')
      const err = await failure(dave.agent.com.atproto.repo.uploadBlob(PNG, { encoding: 'image/png' }))
      expect(err).toMatchObject({ status: 413, error: 'PayloadTooLarge' })
      // Without a Content-Length the limit is enforced while the body streams in.
      const streamed = await fetch(`${small.url}/xrpc/com.atproto.repo.uploadBlob`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/png', Authorization: `Bearer ${dave.agent.session!.accessJwt}` },
        body: new Blob([PNG]).stream(),
      })
      expect(streamed.status).toBe(413)
      expect(await streamed.json()).toMatchObject({
        error: 'PayloadTooLarge',
        message: expect.stringContaining('1000'),
      })
    } finally {
      await small.stop()
    }
  })
})

describe('import', () => {
  test('importRepo replaces the repository; listMissingBlobs reports blobs until they are uploaded', async () => {
    const erin = await signUp(h, 'erin')
    const image = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 4, 5, 6])
    const ref = { $type: 'blob', ref: cidForRaw(image), mimeType: 'image/jpeg', size: image.length }
    const storage = new MemoryBlockstore()
    const theirs = await Repo.create(storage, erin.did, await TheirKeypair.create(), [
      { action: 'create', collection: POST, rkey: '3kcccccccccc2', record: post('migrated') },
      {
        action: 'create',
        collection: POST,
        rkey: '3kcccccccccc3',
        record: {
          ...post('pic'),
          embed: { $type: 'app.bsky.embed.images', images: [{ image: ref, alt: '' }] },
        },
      },
    ] as never)
    const chunks: Uint8Array[] = []
    for await (const chunk of getFullRepo(storage, theirs.cid)) chunks.push(chunk)
    await erin.agent.com.atproto.repo.importRepo(Buffer.concat(chunks), {
      encoding: 'application/vnd.ipld.car',
    })
    expect((await verifyRepo(h, erin.did)).records.size).toBe(2)
    const missing = await erin.agent.com.atproto.repo.listMissingBlobs({})
    expect(missing.data.blobs).toEqual([
      { cid: ref.ref.toString(), recordUri: `at://${erin.did}/${POST}/3kcccccccccc3` },
    ])
    await erin.agent.com.atproto.repo.uploadBlob(image, { encoding: 'image/jpeg' })
    expect((await erin.agent.com.atproto.repo.listMissingBlobs({})).data.blobs).toEqual([])
    const bad = await failure(
      erin.agent.com.atproto.repo.importRepo(Buffer.concat(chunks).subarray(0, 50), {
        encoding: 'application/vnd.ipld.car',
      }),
    )
    expect(bad).toMatchObject({ status: 400, error: 'InvalidRequest' })
    expect((await verifyRepo(h, erin.did)).records.size).toBe(2)
  })
})

describe('preferences', () => {
  test('putPreferences stores app.bsky preferences and getPreferences returns them', async () => {
    const prefs = [
      { $type: 'app.bsky.actor.defs#adultContentPref', enabled: false },
      { $type: 'app.bsky.actor.defs#personalDetailsPref', birthDate: '1990-01-01T00:00:00.000Z' },
    ]
    await alice.agent.app.bsky.actor.putPreferences({ preferences: prefs })
    expect((await alice.agent.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs)
    const foreign = await failure(
      alice.agent.app.bsky.actor.putPreferences({ preferences: [{ $type: 'com.example.pref' }] }),
    )
    expect(foreign).toMatchObject({ status: 400, error: 'InvalidRequest' })
    expect((await alice.agent.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs)
  })

  test('app-password sessions neither see nor replace personal details', async () => {
    const { data } = await alice.agent.com.atproto.server.createAppPassword({ name: 'prefs-test' })
    const app = new AtpAgent({ service: h.url })
    await app.login({ identifier: alice.handle, password: data.password })
    expect((await app.app.bsky.actor.getPreferences()).data.preferences).toEqual([
      { $type: 'app.bsky.actor.defs#adultContentPref', enabled: false },
    ])
    await app.app.bsky.actor.putPreferences({
      preferences: [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: true }],
    })
    const full = (await alice.agent.app.bsky.actor.getPreferences()).data.preferences
    expect(full).toContainEqual({
      $type: 'app.bsky.actor.defs#personalDetailsPref',
      birthDate: '1990-01-01T00:00:00.000Z',
    })
    expect(full).toContainEqual({ $type: 'app.bsky.actor.defs#adultContentPref', enabled: true })
  })
})

describe('response compression', () => {
  test('JSON of 1 KiB or more is compressed for clients that accept it, small JSON and binary never', async () => {
    const big = {
      encoding: 'application/json' as const,
      body: { items: Array.from({ length: 200 }, (_, i) => `item ${i}`) },
    }
    const br = outputResponse(big, 'gzip, deflate, br')
    expect(br.headers.get('content-encoding')).toBe('br')
    const gz = outputResponse(big, 'gzip;q=1, br;q=0')
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(
      JSON.parse(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer())))),
    ).toEqual(big.body)
    expect(outputResponse(big, null).headers.get('content-encoding')).toBeNull()
    expect(
      outputResponse({ encoding: 'application/json', body: { a: 1 } }, 'br').headers.get('content-encoding'),
    ).toBeNull()
    expect(
      outputResponse({ encoding: 'image/png', body: PNG }, 'br').headers.get('content-encoding'),
    ).toBeNull()
  })
})
