/**
 * importRepo: a repository exported from one server (or built by @atproto/repo) imports into an
 * account with the same DID on another, record for record and CID for CID, re-signed with the
 * new key; bad CARs are refused and change nothing; missing blobs are reported and can be
 * uploaded afterwards.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { Secp256k1Keypair as TheirKeypair } from '@atproto/crypto'
import { getFullRepo, MemoryBlockstore, type RecordCreateOp, Repo } from '@atproto/repo'
import { decodeCar, encodeCar } from '../../../src/core/car.ts'
import { parseCid } from '../../../src/core/cid.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { exportCar, openRepoEnv, type RepoEnv, type TestAccount } from '../../helpers/repo-env.ts'
import { verifyExport } from '../../helpers/repo-verify.ts'

const source = openRepoEnv()
const target = openRepoEnv()
afterAll(() => {
  source.close()
  target.close()
})

const POST = 'app.bsky.feed.post'
const IMAGE = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 3000 }, (_, i) => i % 256)])
const post = (text: string) => ({ $type: POST, text, createdAt: '2024-05-01T00:00:00.000Z' })

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes]).stream()
}

async function importError(env: RepoEnv, did: string, car: Uint8Array): Promise<XrpcError> {
  const err = await env.repo.importRepo(did, streamOf(car)).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(XrpcError)
  return err as XrpcError
}

async function fillSource(account: TestAccount): Promise<string> {
  const ref = await source.blobs.upload(account.did, 'image/jpeg', streamOf(IMAGE))
  await source.repo.applyWrites(account.did, {
    repo: account.did,
    writes: Array.from({ length: 120 }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create',
      collection: i % 3 === 0 ? 'app.bsky.graph.follow' : POST,
      value:
        i % 3 === 0
          ? {
              $type: 'app.bsky.graph.follow',
              subject: `did:plc:${'a'.repeat(23)}${'bcdefghijklmnopqrstuvwxyz'[i % 25]}`,
              createdAt: '2024-05-01T00:00:00.000Z',
            }
          : post(`post ${i}`),
    })),
  })
  const image = {
    $type: POST,
    text: 'img',
    createdAt: '2024-05-01T00:00:00.000Z',
    embed: { $type: 'app.bsky.embed.images', images: [{ image: ref, alt: '' }] },
  }
  await source.repo.createRecord(account.did, { repo: account.did, collection: POST, record: image })
  return ref.ref.toString()
}

describe('importRepo', () => {
  const alice = source.createAccount('alice.test')
  const newHome = target.createAccount('alice.target', { did: alice.did })

  test('imports every record with the same CIDs and re-signs with the new key', async () => {
    const imageCid = await fillSource(alice)
    const exported = await verifyExport(source, alice.did, alice.keypair.did())
    await target.repo.createRecord(alice.did, {
      repo: alice.did,
      collection: POST,
      record: post('to be replaced'),
    })
    const commit = await target.repo.importRepo(alice.did, streamOf(await exportCar(source, alice.did)))
    expect(commit.rev > exported.rev).toBe(true)
    const imported = await verifyExport(target, alice.did, newHome.keypair.did())
    expect(imported.records).toEqual(exported.records)
    expect(
      target.repo.listRecords({ repo: alice.did, collection: 'app.bsky.graph.follow', limit: 100 }).records,
    ).toHaveLength(40)
    expect(target.repo.accountRepoStats(alice.did)).toMatchObject({
      records: exported.records.size,
      expectedBlobs: 1,
      importedBlobs: 0,
    })
    expect(target.blobs.listMissing(alice.did, undefined, 10)).toEqual([
      { cid: imageCid, path: expect.stringMatching(/^app\.bsky\.feed\.post\//) },
    ])
  })

  test('a missing blob uploaded after the import is permanent at once', async () => {
    const ref = await target.blobs.upload(alice.did, 'image/jpeg', streamOf(IMAGE))
    expect(target.blobs.listMissing(alice.did, undefined, 10)).toEqual([])
    const blob = await target.blobs.get(alice.did, ref.ref)
    expect(new Uint8Array(await new Response(blob.stream).arrayBuffer())).toEqual(IMAGE)
  })

  test('a truncated, forged, foreign or incomplete CAR is a 400 and changes nothing', async () => {
    const car = await exportCar(source, alice.did)
    const before = target.repo.getRoot(alice.did)!
    const truncated = car.subarray(0, car.length - 100)
    const forged = Uint8Array.from(car)
    forged[forged.length - 5]! ^= 0xff
    const { roots, blocks } = decodeCar(car)
    const { records } = await verifyExport(source, alice.did, alice.keypair.did())
    blocks.delete(parseCid([...records.values()][0]!))
    const incomplete = encodeCar(roots[0]!, blocks.entries())
    const other = source.createAccount('other.test')
    const foreign = await exportCar(source, other.did)
    for (const bad of [truncated, forged, incomplete, foreign]) {
      const err = await importError(target, alice.did, bad)
      expect({ status: err.status, error: err.error }).toEqual({ status: 400, error: 'InvalidRequest' })
    }
    expect(target.repo.getRoot(alice.did)!.cid.equals(before.cid)).toBe(true)
    await verifyExport(target, alice.did, newHome.keypair.did())
  })

  test('a repository built by @atproto/repo imports record for record', async () => {
    const bob = target.createAccount('bob.target')
    const theirKey = await TheirKeypair.create()
    const writes: RecordCreateOp[] = Array.from({ length: 30 }, (_, i) => ({
      action: 'create',
      collection: POST,
      rkey: `3kaaaaaaaa${'234567abcdefghijklmnopqrstuvwxyz'[i]}22`,
      record: post(`theirs ${i}`),
    })) as RecordCreateOp[]
    const storage = new MemoryBlockstore()
    const repo = await Repo.create(storage, bob.did, theirKey, writes)
    const chunks: Uint8Array[] = []
    for await (const chunk of getFullRepo(storage, repo.cid)) chunks.push(chunk)
    await target.repo.importRepo(bob.did, streamOf(Buffer.concat(chunks)))
    const imported = await verifyExport(target, bob.did, bob.keypair.did())
    expect(imported.records.size).toBe(30)
    for (const write of writes) {
      const path = `${write.collection}/${write.rkey}`
      expect(imported.records.get(path)).toBe(String(await repo.data.get(path)))
    }
  })
})
