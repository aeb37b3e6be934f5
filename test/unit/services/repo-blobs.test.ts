/**
 * Blobs at the service level: uploads are hashed and sniffed while streaming, become permanent
 * with a committed record, are served with ranges, are checked against the refs that use them,
 * and are swept when temporary too long or no longer referenced.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { cidForRaw } from '../../../src/core/cid.ts'
import { XrpcError } from '../../../src/services/errors.ts'
import { pngBytes } from '../../helpers/blobs.ts'
import { openRepoEnv } from '../../helpers/repo-env.ts'
import { verifyExport } from '../../helpers/repo-verify.ts'

const env = openRepoEnv()
afterAll(() => env.close())

const PNG = pngBytes(Array.from({ length: 5000 }, (_, i) => i % 251))
const POST = 'app.bsky.feed.post'

function stream(bytes: Uint8Array, chunk = 777): ReadableStream<Uint8Array> {
  let pos = 0
  return new ReadableStream({
    pull(controller) {
      if (pos >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(pos, pos + chunk))
      pos += chunk
    },
  })
}

async function text(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer())
}

function postWithImage(blob: unknown) {
  return {
    $type: POST,
    text: 'pic',
    createdAt: new Date().toISOString(),
    embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] },
  }
}

async function errorOf(promise: Promise<unknown>): Promise<XrpcError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(XrpcError)
  return err as XrpcError
}

describe('upload and use', () => {
  const alice = env.createAccount('alice.test')

  test('an upload is hashed, sniffed (the declared type loses) and kept temporary', async () => {
    const ref = await env.blobs.upload(alice.did, 'text/html', stream(PNG))
    expect(ref.ref.equals(cidForRaw(PNG))).toBe(true)
    expect({ mimeType: ref.mimeType, size: ref.size }).toEqual({ mimeType: 'image/png', size: PNG.length })
    expect((await errorOf(env.blobs.get(alice.did, ref.ref))).error).toBe('BlobNotFound')
    expect(env.blobs.list(alice.did, { limit: 10 })).toEqual([])
  })

  test('a committed record makes it permanent and served byte for byte, with ranges', async () => {
    const ref = await env.blobs.upload(alice.did, 'image/png', stream(PNG))
    await env.repo.createRecord(alice.did, { repo: alice.did, collection: POST, record: postWithImage(ref) })
    const blob = await env.blobs.get(alice.did, ref.ref)
    expect(blob.mimeType).toBe('image/png')
    expect(await text(blob.stream)).toEqual(PNG)
    const part = await env.blobs.get(alice.did, ref.ref, { start: 10, end: 110 })
    expect(await text(part.stream)).toEqual(PNG.slice(10, 110))
    expect(env.blobs.list(alice.did, { limit: 10 })).toEqual([ref.ref.toString()])
    expect(readdirSync(join(env.dir, 'blobs', 'tmp'))).toEqual([])
    await verifyExport(env, alice.did, alice.keypair.did())
  })

  test('a ref to a blob never uploaded is BlobNotFound; a wrong MIME type or size is refused', async () => {
    const missing = {
      $type: 'blob',
      ref: cidForRaw(new Uint8Array([1, 2, 3])),
      mimeType: 'image/png',
      size: 3,
    }
    const create = (image: unknown) =>
      env.repo.createRecord(alice.did, { repo: alice.did, collection: POST, record: postWithImage(image) })
    expect((await errorOf(create(missing))).error).toBe('BlobNotFound')
    const ref = await env.blobs.upload(alice.did, 'image/png', stream(PNG))
    expect((await errorOf(create({ ...ref, mimeType: 'image/jpeg' }))).error).toBe('InvalidMimeType')
    expect((await errorOf(create({ ...ref, size: ref.size + 1 }))).error).toBe('InvalidBlob')
  })

  test('an upload larger than the stream allows leaves no temp file behind', async () => {
    let chunks = 0
    const failing = stream(PNG).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (++chunks > 3) controller.error(new Error('too large'))
          else controller.enqueue(chunk)
        },
      }),
    )
    await expect(env.blobs.upload(alice.did, 'image/png', failing)).rejects.toThrow('too large')
    expect(readdirSync(join(env.dir, 'blobs', 'tmp'))).toEqual([])
  })
})

describe('the sweep', () => {
  const bob = env.createAccount('bob.test')
  const hour = 60 * 60 * 1000

  test('temporary uploads survive the grace period and are deleted after it', async () => {
    const bytes = new TextEncoder().encode('just some text')
    const ref = await env.blobs.upload(bob.did, 'text/plain', stream(bytes))
    expect(ref.mimeType).toBe('text/plain')
    expect((await env.blobs.sweeper.sweep(new Date(Date.now() + hour))).blobs).toBe(0)
    expect((await env.blobs.sweeper.sweep(new Date(Date.now() + 7 * hour))).blobs).toBe(1)
    expect(readdirSync(join(env.dir, 'blobs', 'tmp'))).toEqual([])
    const record = postWithImage(ref)
    const err = await errorOf(
      env.repo.createRecord(bob.did, { repo: bob.did, collection: POST, record, validate: false }),
    )
    expect(err.error).toBe('BlobNotFound')
  })

  test('a blob whose last record is deleted stops being served and is deleted after its grace', async () => {
    const ref = await env.blobs.upload(bob.did, 'image/png', stream(PNG))
    const a = await env.repo.createRecord(bob.did, {
      repo: bob.did,
      collection: POST,
      record: postWithImage(ref),
    })
    const b = await env.repo.createRecord(bob.did, {
      repo: bob.did,
      collection: POST,
      record: postWithImage(ref),
    })
    const file = join(env.dir, 'blobs', encodeURIComponent(bob.did), ref.ref.toString())
    await env.repo.deleteRecord(bob.did, { repo: bob.did, collection: POST, rkey: a.uri.split('/').at(-1)! })
    expect((await env.blobs.get(bob.did, ref.ref)).size).toBe(PNG.length)
    await env.repo.deleteRecord(bob.did, { repo: bob.did, collection: POST, rkey: b.uri.split('/').at(-1)! })
    expect((await errorOf(env.blobs.get(bob.did, ref.ref))).error).toBe('BlobNotFound')
    expect((await env.blobs.sweeper.sweep(new Date(Date.now() + hour / 2))).blobs).toBe(0)
    expect(existsSync(file)).toBe(true)
    expect((await env.blobs.sweeper.sweep(new Date(Date.now() + 2 * hour))).blobs).toBe(1)
    expect(existsSync(file)).toBe(false)
  })

  test('re-uploading an unreferenced blob brings it back as an upload', async () => {
    const ref = await env.blobs.upload(bob.did, 'image/png', stream(PNG))
    const made = await env.repo.createRecord(bob.did, {
      repo: bob.did,
      collection: POST,
      record: postWithImage(ref),
    })
    await env.repo.deleteRecord(bob.did, {
      repo: bob.did,
      collection: POST,
      rkey: made.uri.split('/').at(-1)!,
    })
    await env.blobs.upload(bob.did, 'image/png', stream(PNG))
    expect((await env.blobs.sweeper.sweep(new Date(Date.now() + 2 * hour))).blobs).toBe(0)
    await env.repo.createRecord(bob.did, { repo: bob.did, collection: POST, record: postWithImage(ref) })
    expect(await text((await env.blobs.get(bob.did, ref.ref)).stream)).toEqual(PNG)
  })

  test('deleting an account removes its blob files after the commit', async () => {
    const carol = env.createAccount('carol.test')
    const ref = await env.blobs.upload(carol.did, 'image/png', stream(PNG))
    await env.repo.createRecord(carol.did, { repo: carol.did, collection: POST, record: postWithImage(ref) })
    const file = join(env.dir, 'blobs', encodeURIComponent(carol.did), ref.ref.toString())
    expect(existsSync(file)).toBe(true)
    env.db.transaction(() => env.repo.deleteRepoInTx(carol.did))
    await env.blobs.sweeper.drainDeletions()
    expect(existsSync(file)).toBe(false)
    expect(env.repo.getRoot(carol.did)).toBeUndefined()
  })
})
