// Takedowns through the admin API, seen from every read path with the official client: an
// account (repo reads, sync, blobs, login, writes, the firehose, the restricted session), a record
// (getRecord, listRecords, sync.getRecord) and a blob (getBlob, new references), each reversed.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent, type BlobRef } from '@atproto/api'
import { failure, PASSWORD, type SignedUp, signUp } from '../helpers/agents.ts'
import { pngBytes } from '../helpers/blobs.ts'
import { type FirehoseClient, subscribe } from '../helpers/firehose-client.ts'
import { type Harness, startHarness } from './harness.ts'

const POST = 'app.bsky.feed.post'
const REPO_REF = 'com.atproto.admin.defs#repoRef'
const ADMIN = { headers: { authorization: `Basic ${btoa('admin:integration-test-admin-password')}` } }
const PNG = pngBytes(Array(500).fill(7))
const post = (text: string, embed?: unknown) => ({
  $type: POST,
  text,
  createdAt: new Date().toISOString(),
  ...(embed === undefined ? {} : { embed }),
})
const images = (blob: BlobRef) => ({ $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] })

let h: Harness
let alice: SignedUp
let anon: AtpAgent
let first: { uri: string; cid: string }
let second: { uri: string; cid: string }
let blob: BlobRef
let appPassword: string

beforeAll(async () => {
  h = await startHarness()
  alice = await signUp(h, 'alice')
  anon = new AtpAgent({ service: h.url })
  const repo = alice.agent.com.atproto.repo
  blob = (await repo.uploadBlob(PNG, { encoding: 'image/png' })).data.blob
  first = (await repo.createRecord({ repo: alice.did, collection: POST, record: post('one', images(blob)) }))
    .data
  appPassword = (await alice.agent.com.atproto.server.createAppPassword({ name: 'app' })).data.password
  second = (await repo.createRecord({ repo: alice.did, collection: POST, record: post('two') })).data
})
afterAll(() => h.stop())

const admin = () => anon.com.atproto.admin
const rkeyOf = (uri: string) => uri.split('/').at(-1)!

function setAccountTakedown(applied: boolean, extra: Record<string, unknown> = {}) {
  const takedown = applied ? { applied, ref: 'case-42' } : { applied }
  return admin().updateSubjectStatus(
    { subject: { $type: REPO_REF, did: alice.did }, takedown, ...extra },
    ADMIN,
  )
}

async function accountEvent(sub: FirehoseClient, did: string) {
  const frame = await sub.waitFor((f) => f.header.t === '#account' && f.body.did === did)
  sub.close()
  return { active: frame.body.active, status: frame.body.status }
}

/** The error name of every public read of alice's repository, by method. */
async function publicReadErrors(): Promise<Record<string, string>> {
  const { repo, sync } = anon.com.atproto
  const did = alice.did
  const calls: Record<string, Promise<unknown>> = {
    getRecord: repo.getRecord({ repo: did, collection: POST, rkey: rkeyOf(first.uri) }),
    listRecords: repo.listRecords({ repo: did, collection: POST }),
    describeRepo: repo.describeRepo({ repo: did }),
    getRepo: sync.getRepo({ did }),
    getLatestCommit: sync.getLatestCommit({ did }),
    syncGetRecord: sync.getRecord({ did, collection: POST, rkey: rkeyOf(first.uri) }),
    getBlob: sync.getBlob({ did, cid: blob.ref.toString() }),
    listBlobs: sync.listBlobs({ did }),
  }
  const errors: Record<string, string> = {}
  for (const [name, call] of Object.entries(calls)) errors[name] = (await failure(call)).error
  return errors
}

describe('account takedown', () => {
  test('hides the repository from every read path, ends its sessions and announces takendown', async () => {
    const oldAccessJwt = alice.agent.session!.accessJwt
    const sub = await subscribe(h.url)
    const { data } = await setAccountTakedown(true)
    expect(data).toEqual({
      subject: { $type: REPO_REF, did: alice.did },
      takedown: { applied: true, ref: 'case-42' },
    })
    expect(await accountEvent(sub, alice.did)).toEqual({ active: false, status: 'takendown' })
    expect(await publicReadErrors()).toEqual({
      getRecord: 'RecordNotFound',
      listRecords: 'InvalidRequest',
      describeRepo: 'RepoTakendown',
      getRepo: 'RepoTakendown',
      getLatestCommit: 'RepoTakendown',
      syncGetRecord: 'RepoTakendown',
      getBlob: 'RepoTakendown',
      listBlobs: 'RepoTakendown',
    })
    const status = await anon.com.atproto.sync.getRepoStatus({ did: alice.did })
    expect(status.data).toEqual({ did: alice.did, active: false, status: 'takendown' })
    const listed = (await anon.com.atproto.sync.listRepos({})).data.repos.find((r) => r.did === alice.did)
    expect(listed).toMatchObject({ active: false, status: 'takendown' })
    const write = await fetch(`${h.url}/xrpc/com.atproto.repo.createRecord`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oldAccessJwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repo: alice.did, collection: POST, record: post('while down') }),
    })
    expect({ status: write.status, ...((await write.json()) as object) }).toMatchObject({
      status: 400,
      error: 'ExpiredToken',
    })
  })

  test('refuses login with AccountTakedown, and app passwords altogether', async () => {
    const login = (password: string, allowTakendown?: boolean) =>
      anon.com.atproto.server.createSession({ identifier: alice.handle, password, allowTakendown })
    expect(await failure(login(PASSWORD))).toMatchObject({ status: 401, error: 'AccountTakedown' })
    // An app password does not even reveal the takedown.
    for (const allow of [false, true]) {
      expect(await failure(login(appPassword, allow))).toMatchObject({
        status: 401,
        error: 'AuthenticationRequired',
        message: 'Invalid identifier or password',
      })
    }
  })

  test('allowTakendown gives a session that may export, appeal and deactivate, and nothing else', async () => {
    const agent = new AtpAgent({ service: h.url })
    const { data } = await agent.login({ identifier: alice.handle, password: PASSWORD, allowTakendown: true })
    expect(data).toMatchObject({ did: alice.did, active: false, status: 'takendown' })
    const car = await agent.com.atproto.sync.getRepo({ did: alice.did })
    expect(car.data.byteLength).toBeGreaterThan(0)
    const bytes = await agent.com.atproto.sync.getBlob({ did: alice.did, cid: blob.ref.toString() })
    expect(new Uint8Array(bytes.data)).toEqual(PNG)
    const token = await agent.com.atproto.server.getServiceAuth({ aud: 'did:web:mod.example' })
    expect(token.data.token).toBeString()
    const write = agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: post('x'),
    })
    expect(await failure(write)).toMatchObject({
      status: 400,
      error: 'InvalidToken',
      message: 'Bad token scope',
    })
    expect(await failure(agent.com.atproto.server.getSession())).toMatchObject({ error: 'InvalidToken' })
    const refresh = await fetch(`${h.url}/xrpc/com.atproto.server.refreshSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.session!.refreshJwt}` },
    })
    expect(refresh.status).toBe(401)
    expect(((await refresh.json()) as { error: string }).error).toBe('AccountTakedown')
  })

  test('getSubjectStatus reports the takedown and its ref', async () => {
    const { data } = await admin().getSubjectStatus({ did: alice.did }, ADMIN)
    expect(data).toEqual({
      subject: { $type: REPO_REF, did: alice.did },
      takedown: { applied: true, ref: 'case-42' },
      deactivated: { applied: false },
    })
  })

  test('lifting it restores every read path and login, and announces the account active', async () => {
    const sub = await subscribe(h.url)
    await setAccountTakedown(false)
    expect(await accountEvent(sub, alice.did)).toEqual({ active: true, status: undefined })
    const { repo, sync } = anon.com.atproto
    const record = await repo.getRecord({ repo: alice.did, collection: POST, rkey: rkeyOf(first.uri) })
    expect(record.data.cid).toBe(first.cid)
    expect((await repo.listRecords({ repo: alice.did, collection: POST })).data.records).toHaveLength(2)
    expect((await sync.getLatestCommit({ did: alice.did })).data.rev).toBeString()
    expect((await sync.listBlobs({ did: alice.did })).data.cids).toEqual([blob.ref.toString()])
    await alice.agent.login({ identifier: alice.handle, password: PASSWORD })
    const written = await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: post('back'),
    })
    await alice.agent.com.atproto.repo.deleteRecord({
      repo: alice.did,
      collection: POST,
      rkey: rkeyOf(written.data.uri),
    })
  })

  test('updateSubjectStatus deactivates and reactivates with `deactivated`', async () => {
    const sub = await subscribe(h.url)
    const subject = { $type: REPO_REF, did: alice.did }
    await admin().updateSubjectStatus({ subject, deactivated: { applied: true } }, ADMIN)
    expect(await accountEvent(sub, alice.did)).toEqual({ active: false, status: 'deactivated' })
    const status = await admin().getSubjectStatus({ did: alice.did }, ADMIN)
    expect(status.data.deactivated).toEqual({ applied: true })
    await admin().updateSubjectStatus({ subject, deactivated: { applied: false } }, ADMIN)
    expect((await anon.com.atproto.sync.getRepoStatus({ did: alice.did })).data.active).toBe(true)
  })
})

describe('record takedown', () => {
  const strongRef = () => ({ $type: 'com.atproto.repo.strongRef', uri: first.uri, cid: first.cid })

  test('hides the record from getRecord, listRecords and sync.getRecord until lifted', async () => {
    await admin().updateSubjectStatus({ subject: strongRef(), takedown: { applied: true } }, ADMIN)
    const { repo, sync } = anon.com.atproto
    const target = { repo: alice.did, collection: POST, rkey: rkeyOf(first.uri) }
    expect(await failure(repo.getRecord(target))).toMatchObject({ status: 400, error: 'RecordNotFound' })
    const listed = await repo.listRecords({ repo: alice.did, collection: POST })
    expect(listed.data.records.map((r) => r.uri)).toEqual([second.uri])
    const proof = sync.getRecord({ did: alice.did, collection: POST, rkey: target.rkey })
    expect(await failure(proof)).toMatchObject({ status: 400, error: 'RecordNotFound' })
    const status = await admin().getSubjectStatus({ uri: first.uri }, ADMIN)
    expect(status.data).toMatchObject({
      subject: strongRef(),
      takedown: { applied: true, ref: expect.any(String) },
    })
    await admin().updateSubjectStatus({ subject: strongRef(), takedown: { applied: false } }, ADMIN)
    expect((await repo.getRecord(target)).data.cid).toBe(first.cid)
    expect((await repo.listRecords({ repo: alice.did, collection: POST })).data.records).toHaveLength(2)
    const car = await sync.getRecord({ did: alice.did, collection: POST, rkey: target.rkey })
    expect(car.data.byteLength).toBeGreaterThan(0)
  })

  test('a listRecords page that lost records keeps its cursor, so paging goes on', async () => {
    await admin().updateSubjectStatus({ subject: strongRef(), takedown: { applied: true } }, ADMIN)
    const { repo } = anon.com.atproto
    const page = await repo.listRecords({ repo: alice.did, collection: POST, limit: 1, reverse: true })
    expect(page.data.records).toEqual([])
    expect(page.data.cursor).toBe(rkeyOf(first.uri))
    const next = await repo.listRecords({
      repo: alice.did,
      collection: POST,
      limit: 1,
      reverse: true,
      cursor: page.data.cursor,
    })
    expect(next.data.records.map((r) => r.uri)).toEqual([second.uri])
    await admin().updateSubjectStatus({ subject: strongRef(), takedown: { applied: false } }, ADMIN)
  })
})

describe('blob takedown', () => {
  const blobRef = () => ({
    $type: 'com.atproto.admin.defs#repoBlobRef',
    did: alice.did,
    cid: blob.ref.toString(),
  })

  test('stops getBlob and new references to the blob until lifted', async () => {
    await admin().updateSubjectStatus(
      { subject: blobRef(), takedown: { applied: true, ref: 'dmca-7' } },
      ADMIN,
    )
    const cid = blob.ref.toString()
    const get = anon.com.atproto.sync.getBlob({ did: alice.did, cid })
    expect(await failure(get)).toMatchObject({ status: 400, error: 'BlobNotFound' })
    // Still listed, as by the reference: a record refers to it.
    expect((await anon.com.atproto.sync.listBlobs({ did: alice.did })).data.cids).toEqual([cid])
    const reuse = alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: POST,
      record: post('again', images(blob)),
    })
    expect(await failure(reuse)).toMatchObject({ status: 400, error: 'BlobNotFound' })
    const status = await admin().getSubjectStatus({ did: alice.did, blob: cid }, ADMIN)
    expect(status.data).toEqual({ subject: blobRef(), takedown: { applied: true, ref: 'dmca-7' } })
    await admin().updateSubjectStatus({ subject: blobRef(), takedown: { applied: false } }, ADMIN)
    expect(new Uint8Array((await anon.com.atproto.sync.getBlob({ did: alice.did, cid })).data)).toEqual(PNG)
  })
})
