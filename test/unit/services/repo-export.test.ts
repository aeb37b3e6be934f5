/**
 * The full-repository export (`exportRepoCar`): its blocks, in order, against the decoded MST walk
 * over the same snapshot, verified by @atproto/repo; repositories that stress the record pages
 * (collections whose names prefix each other, the same record at two paths, records too large for
 * a page, collections longer than a page); the empty repository; and a commit landing mid-export.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { readCar } from '../../../src/core/car.ts'
import { RepoSnapshot } from '../../../src/storage/repo/index.ts'
import { referenceCarOrder } from '../../helpers/car-order.ts'
import { exportCar, openRepoEnv, type TestAccount } from '../../helpers/repo-env.ts'
import { verifyAccountExport } from '../../helpers/repo-verify.ts'
import { rejectsWith } from '../../helpers/xrpc-errors.ts'

const env = openRepoEnv()
afterAll(() => env.close())

type Write = { collection: string; rkey: string; value: Record<string, unknown> }

async function write(account: TestAccount, writes: Write[]): Promise<void> {
  for (let i = 0; i < writes.length; i += 100) {
    await env.repo.applyWrites(account.did, {
      repo: account.did,
      writes: writes.slice(i, i + 100).map((w) => ({
        $type: 'com.atproto.repo.applyWrites#create',
        ...w,
        value: { $type: w.collection, ...w.value },
      })),
    })
  }
}

/** The commit, then the decoded walk's CAR order over a snapshot of the repo (the reference). */
function expectedBlocks(did: string): string[] {
  const snapshot = RepoSnapshot.open(env.db.path)
  try {
    const root = snapshot.root(did)!
    const order = referenceCarOrder(snapshot.reader(did), root.data)
    return [root.cid.toString(), ...[...order].map(({ cid }) => cid.toString())]
  } finally {
    snapshot.close()
  }
}

/** Block CIDs of a CAR in file order (the reader checks every block against its CID). */
async function carBlocks(car: Uint8Array): Promise<string[]> {
  const { blocks } = await readCar(car)
  const out: string[] = []
  for await (const block of blocks) out.push(block.cid.toString())
  return out
}

async function expectFaithfulExport(account: TestAccount, recordCount: number): Promise<void> {
  expect(await carBlocks(await exportCar(env, account.did))).toEqual(expectedBlocks(account.did))
  const verified = await verifyAccountExport(env, account)
  expect(verified.records.size).toBe(recordCount)
}

const rkey = (n: number) => `3k${n.toString(36).padStart(11, '0')}`

describe('exportRepoCar', () => {
  test('the empty repository is its commit and an empty root node', async () => {
    const account = env.createAccount()
    expect(await carBlocks(await exportCar(env, account.did))).toHaveLength(2)
    await expectFaithfulExport(account, 0)
  })

  test('collections whose names prefix each other come out in bytewise key order', async () => {
    // `com.example.a.b/...` sorts before `com.example.a/...`, unlike ORDER BY collection.
    const account = env.createAccount()
    const collections = ['com.example.a', 'com.example.a.b', 'com.example.ab', 'com.example.a-b']
    await write(
      account,
      Array.from({ length: 400 }, (_, i) => ({
        collection: collections[i % collections.length]!,
        rkey: rkey(i),
        value: { n: i },
      })),
    )
    await expectFaithfulExport(account, 400)
  })

  test('the same record at two paths, large records and a collection longer than a page', async () => {
    const account = env.createAccount()
    const same = { text: 'identical content' }
    await write(account, [
      { collection: 'com.example.dup', rkey: 'one', value: same },
      { collection: 'com.example.other', rkey: 'mid', value: { n: 1 } },
      { collection: 'com.example.dup', rkey: 'two', value: same },
      { collection: 'com.example.big', rkey: 'a', value: { text: 'x'.repeat(40_000) } },
      { collection: 'com.example.big', rkey: 'b', value: { text: 'y'.repeat(20_000) } },
      { collection: 'com.example.big', rkey: 'c', value: { text: 'z'.repeat(70_000) } },
      ...Array.from({ length: 300 }, (_, i) => ({
        collection: 'com.example.many',
        rkey: rkey(i),
        value: { n: i },
      })),
    ])
    await expectFaithfulExport(account, 306)
  })

  test('a commit landing mid-export does not change the file being streamed', async () => {
    const account = env.createAccount()
    const posts = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        collection: 'com.example.post',
        rkey: rkey(from + i),
        value: { text: `post ${from + i} ${'.'.repeat(200)}` },
      }))
    await write(account, posts(0, 600))
    const before = await exportCar(env, account.did)

    const chunks: Uint8Array[] = []
    const stream = env.repo.exportRepoCar(account.did)
    const first = await stream.next()
    if (first.done) throw new Error('the export ended before its first chunk')
    chunks.push(first.value)
    await write(account, posts(600, 50))
    await env.repo.deleteRecord(account.did, {
      repo: account.did,
      collection: 'com.example.post',
      rkey: rkey(3),
    })
    for await (const chunk of stream) chunks.push(chunk)

    expect(chunks.length).toBeGreaterThan(1)
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(before))
    await expectFaithfulExport(account, 649)
  })

  test('an unknown repository is RepoNotFound', async () => {
    await rejectsWith(exportCar(env, 'did:plc:unknownunknownunknown'), 400, 'RepoNotFound')
  })
})
