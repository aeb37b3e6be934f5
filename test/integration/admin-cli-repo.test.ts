// `perlsky admin repo export` and `repo verify` against a running server: the exported CAR is
// the one sync.getRepo serves and @atproto/repo accepts; verify checks the signature with the
// DID's key (resolved or given) and rejects corrupted, incomplete or mis-signed CARs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyRepoCar } from '@atproto/repo'
import { BlockMap } from '../../src/core/block-reader.ts'
import { type CarBlock, decodeCar, encodeCar } from '../../src/core/car.ts'
import { encodeBlock } from '../../src/core/cbor.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { Mst } from '../../src/core/mst/index.ts'
import { encodeCommit, signCommit } from '../../src/core/repo/index.ts'
import { TidClock } from '../../src/core/tid-clock.ts'
import { type SignedUp, signUp } from '../helpers/agents.ts'
import { runPerlsky } from '../helpers/cli-run.ts'
import { harnessConfig } from './admin-cli-env.ts'
import { type Harness, startHarness } from './harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-admin-repo-'))
let h: Harness
let alice: SignedUp
let bob: SignedUp
let config: string
const carPath = join(dir, 'alice.car')

beforeAll(async () => {
  h = await startHarness()
  alice = await signUp(h, 'alice')
  bob = await signUp(h, 'bob')
  for (let i = 0; i < 20; i++) await alice.agent.post({ text: `post ${i}` })
  await alice.agent.upsertProfile(() => ({ displayName: 'Alice' }))
  config = harnessConfig(dir, h)
})
afterAll(async () => {
  await h.stop()
  rmSync(dir, { recursive: true, force: true })
})

function run(...argv: string[]) {
  return runPerlsky(['admin', 'repo', ...argv, '--config', config], dir)
}

/** The exported CAR rewritten with `edit` applied to its blocks. */
function rewrittenCar(edit: (blocks: CarBlock[]) => void): string {
  const { roots, blocks } = decodeCar(readFileSync(carPath))
  const list = [...blocks.entries()]
  edit(list)
  const path = join(dir, `edited-${crypto.randomUUID()}.car`)
  writeFileSync(path, encodeCar(roots[0]!, list))
  return path
}

describe('perlsky admin repo export', () => {
  test('writes the CAR sync.getRepo serves, which @atproto/repo verifies', async () => {
    const r = await run('export', 'alice.test', carPath)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toMatch(new RegExp(`^exported ${alice.did} to ${carPath}: \\d+ bytes\\n$`))
    const car = readFileSync(carPath)
    const served = await fetch(`${h.url}/xrpc/com.atproto.sync.getRepo?did=${encodeURIComponent(alice.did)}`)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(new Uint8Array(car))
    const verified = await verifyRepoCar(car, alice.did, h.ctx.accounts.signingKey(alice.did).did())
    expect(verified.creates).toHaveLength(21)
  })

  test('an unknown account exits 1 and writes nothing', async () => {
    const out = join(dir, 'nobody.car')
    const r = await run('export', 'nobody.test', out)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('perlsky: no account nobody.test on this server\n')
    expect(await Bun.file(out).exists()).toBe(false)
  })
})

describe('perlsky admin repo verify', () => {
  test('accepts the export, with the signature checked against the resolved DID key', async () => {
    const r = await run('verify', carPath)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const key = h.ctx.accounts.signingKey(alice.did).did()
    expect(r.stdout).toContain(`${carPath}: valid repository of ${alice.did}\n`)
    expect(r.stdout).toContain(`  signature   valid for ${key}\n`)
    expect(r.stdout).toContain('  records     21 in 2 collections\n')
    const json = JSON.parse((await run('verify', carPath, '--json')).stdout)
    expect(json).toMatchObject({
      valid: true,
      did: alice.did,
      signature: { status: 'valid', key },
      records: 21,
      collections: { 'app.bsky.actor.profile': 1, 'app.bsky.feed.post': 20 },
      unreferencedBlocks: 0,
    })
  })

  test('a signature by another key is invalid (exit 1)', async () => {
    const bobKey = h.ctx.accounts.signingKey(bob.did).did()
    const r = await runPerlsky(['admin', 'repo', 'verify', carPath, '--did-key', bobKey], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`INVALID repository of ${alice.did}`)
    expect(r.stdout).toContain(`signature   INVALID for ${bobKey}`)
  })

  test('--did-key needs no config; a malformed key is a usage error', async () => {
    const key = h.ctx.accounts.signingKey(alice.did).did()
    const r = await runPerlsky(['admin', 'repo', 'verify', carPath, '--did-key', key], dir)
    expect(r.code).toBe(0)
    expect(
      (await runPerlsky(['admin', 'repo', 'verify', carPath, '--did-key', 'did:key:nope'], dir)).code,
    ).toBe(2)
  })

  test('rejects a block whose bytes do not match its CID', async () => {
    const car = readFileSync(carPath)
    car[car.length - 3] = (car[car.length - 3] ?? 0) ^ 0xff
    const corrupted = join(dir, 'corrupted.car')
    writeFileSync(corrupted, car)
    const r = await run('verify', corrupted)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`perlsky: ${corrupted}: not a valid repository:`)
    expect(r.stdout).toBe('')
  })

  test('rejects a CAR missing a record block', async () => {
    const { blocks } = decodeCar(readFileSync(carPath))
    const recordCid = [...blocks.entries()].at(-1)!.cid
    const path = rewrittenCar((list) =>
      list.splice(
        list.findIndex((b) => b.cid.equals(recordCid)),
        1,
      ),
    )
    const r = await run('verify', path, '--json')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toEqual({
      file: path,
      valid: false,
      error: `missing block ${recordCid.toString()}`,
    })
  })

  test('reports blocks the commit does not reach', async () => {
    const path = rewrittenCar((list) => list.push(encodeBlock({ stray: true })))
    const r = await run('verify', path, '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, unreferencedBlocks: 1 })
  })

  test('a DID that cannot be resolved leaves the signature unchecked; --did-key checks it', async () => {
    const key = Secp256k1Keypair.create()
    const tree = Mst.create(new BlockMap())
    const data = tree.rootCid()
    const did = 'did:plc:abcdefghijklmnopqrstuvwx'
    const commit = encodeCommit(
      signCommit({ did, version: 3, data, rev: new TidClock().next(), prev: null }, key),
    )
    const path = join(dir, 'elsewhere.car')
    writeFileSync(path, encodeCar(commit.cid, [commit, ...tree.newBlocks().entries()]))
    const offline = harnessConfig(dir, h, { plc_url: 'http://127.0.0.1:9' })
    const r = await runPerlsky(['admin', 'repo', 'verify', path, '--json', '--config', offline], dir)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      valid: true,
      records: 0,
      signature: { status: 'unchecked' },
    })
    const given = await runPerlsky(['admin', 'repo', 'verify', path, '--did-key', key.did()], dir)
    expect(given.code).toBe(0)
    expect(given.stdout).toContain(`  signature   valid for ${key.did()}\n`)
  })
})
