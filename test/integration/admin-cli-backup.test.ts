// `perlsky admin backup` taken while the server accepts writes, `perlsky admin restore` into an
// empty data directory, and a second server on the restored data: every record, repository
// (verified by @atproto/repo from sync.getRepo) and blob is served as before.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyRepoCar } from '@atproto/repo'
import { type SignedUp, signUp } from '../helpers/agents.ts'
import { pngBytes } from '../helpers/blobs.ts'
import { runPerlsky } from '../helpers/cli-run.ts'
import { harnessConfig } from './admin-cli-env.ts'
import { type Harness, startHarness } from './harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-admin-backup-'))
let h: Harness
let restored: Harness | undefined
const accounts: SignedUp[] = []
/** Record URIs written before the backup started, and every uploaded blob's bytes by CID. */
const writtenBefore: string[] = []
const blobBytes = new Map<string, Uint8Array>()

beforeAll(async () => {
  h = await startHarness()
  for (const name of ['alice', 'bob']) {
    const account = await signUp(h, name)
    accounts.push(account)
    for (let i = 0; i < 3; i++) writtenBefore.push(await postWithImage(account, `${name} ${i}`))
  }
})
afterAll(async () => {
  await restored?.stop()
  await h.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function postWithImage(account: SignedUp, text: string): Promise<string> {
  const image = pngBytes(new TextEncoder().encode(text))
  const blob = (await account.agent.uploadBlob(image, { encoding: 'image/png' })).data.blob
  blobBytes.set(blob.ref.toString(), image)
  const embed = { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: text }] }
  return (await account.agent.post({ text, embed })).uri
}

async function xrpc(server: Harness, nsid: string, params: Record<string, string>): Promise<Response> {
  const res = await fetch(`${server.url}/xrpc/${nsid}?${new URLSearchParams(params)}`)
  expect(res.status).toBe(200)
  return res
}

describe('perlsky admin backup and restore', () => {
  test('a backup taken during writes restores into a server serving every record, repo and blob', async () => {
    const backupDir = join(dir, 'backup')
    const [alice] = accounts
    const writing = Promise.all([0, 1, 2, 3, 4].map((i) => alice!.agent.post({ text: `during ${i}` })))
    const backup = await runPerlsky(['admin', 'backup', backupDir, '--config', harnessConfig(dir, h)], dir)
    await writing
    expect(backup).toMatchObject({ code: 0, stderr: '' })
    expect(backup.stdout).toStartWith(`backup written to ${backupDir}\n`)
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'))
    expect(manifest).toMatchObject({ format: 'perlsky-backup', formatVersion: 1, blobFiles: blobBytes.size })

    const dataDir = join(dir, 'restored')
    const config = harnessConfig(dir, h, { data_dir: dataDir, db_path: undefined })
    const restore = await runPerlsky(['admin', 'restore', backupDir, '--config', config], dir)
    expect(restore).toMatchObject({ code: 0, stderr: '' })
    restored = await startHarness({ config: { data_dir: dataDir } })

    const served = new Set<string>()
    for (const { did } of accounts) {
      const car = new Uint8Array(
        await (await xrpc(restored, 'com.atproto.sync.getRepo', { did })).arrayBuffer(),
      )
      const key = h.ctx.accounts.signingKey(did).did()
      const verified = await verifyRepoCar(car, did, key)
      for (const { collection, rkey, cid } of verified.creates) {
        const uri = `at://${did}/${collection}/${rkey}`
        const params = { repo: did, collection, rkey }
        const record = await (await xrpc(restored, 'com.atproto.repo.getRecord', params)).json()
        expect(record).toMatchObject({ uri, cid: cid.toString() })
        served.add(uri)
      }
      const listed = await xrpc(restored, 'com.atproto.sync.listBlobs', { did })
      const { cids } = (await listed.json()) as { cids: string[] }
      for (const cid of cids) {
        const bytes = await (await xrpc(restored, 'com.atproto.sync.getBlob', { did, cid })).arrayBuffer()
        expect(Buffer.from(bytes).equals(blobBytes.get(cid)!)).toBe(true)
      }
      expect(cids.length).toBe(3)
    }
    for (const uri of writtenBefore) expect(served.has(uri)).toBe(true)
  })

  test('restore refuses an existing target without --force', async () => {
    const backupDir = join(dir, 'backup')
    const config = harnessConfig(dir, h, { data_dir: join(dir, 'restored'), db_path: undefined })
    const r = await runPerlsky(['admin', 'restore', backupDir, '--config', config], dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('exists: restore into an empty data directory, or pass --force')
  })

  test('restore refuses, even with --force, a database a running server holds open', async () => {
    const backupDir = join(dir, 'backup')
    const r = await runPerlsky(
      ['admin', 'restore', backupDir, '--force', '--config', harnessConfig(dir, h)],
      dir,
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('is open in another process')
    expect(r.stderr).toContain('stop the server first')
    // Nothing was touched: the running server still serves its accounts.
    await xrpc(h, 'com.atproto.sync.getRepo', { did: accounts[0]!.did })
  })

  test('restore --force replaces a stopped server’s database and blobs', async () => {
    const dataDir = join(dir, 'replaced')
    const config = harnessConfig(dir, h, { data_dir: dataDir, db_path: undefined })
    expect((await runPerlsky(['migrate', '--config', config], dir)).code).toBe(0)
    mkdirSync(join(dataDir, 'blobs', 'stale'), { recursive: true })
    writeFileSync(join(dataDir, 'blobs', 'stale', 'file'), 'old')
    const r = await runPerlsky(
      ['admin', 'restore', join(dir, 'backup'), '--force', '--json', '--config', config],
      dir,
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'perlsky-backup' })
    expect(existsSync(join(dataDir, 'blobs', 'stale'))).toBe(false)
    expect(existsSync(join(dataDir, 'perlsky.sqlite'))).toBe(true)
  })

  test('backup refuses a non-empty directory and restore a directory that is not a backup', async () => {
    const config = harnessConfig(dir, h)
    const full = join(dir, 'full')
    mkdirSync(full)
    writeFileSync(join(full, 'something'), 'x')
    const backup = await runPerlsky(['admin', 'backup', full, '--config', config], dir)
    expect(backup.code).toBe(1)
    expect(backup.stderr).toContain('is not empty')
    const restore = await runPerlsky(['admin', 'restore', full, '--force', '--config', config], dir)
    expect(restore.code).toBe(1)
    expect(restore.stderr).toContain('not a finished perlsky backup')
    expect((await runPerlsky(['admin', 'backup', '--config', config], dir)).code).toBe(2)
  })
})
