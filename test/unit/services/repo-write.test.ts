/**
 * The repo write path at the service level: every write kind, swaps and validation, with the
 * exported repository verified by @atproto/repo after each scenario.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { openRepoEnv, type TestAccount } from '../../helpers/repo-env.ts'
import { verifyAccountExport } from '../../helpers/repo-verify.ts'
import { rejectsWith as rejects } from '../../helpers/xrpc-errors.ts'

const env = openRepoEnv()
afterAll(() => env.close())

const POST = 'app.bsky.feed.post'
const post = (text: string) => ({ $type: POST, text, createdAt: new Date().toISOString() })

const verified = (account: TestAccount) => verifyAccountExport(env, account)

describe('record writes', () => {
  const alice = env.createAccount('alice.test')

  test('a new repository verifies and has no records', async () => {
    const result = await verified(alice)
    expect(result.records.size).toBe(0)
    expect(result.rev).toBe(env.repo.getRoot(alice.did)!.rev)
  })

  test('createRecord assigns a TID key, validates the record and commits it', async () => {
    const res = await env.repo.createRecord(alice.did, {
      repo: alice.did,
      collection: POST,
      record: post('hello'),
    })
    expect(res.uri).toMatch(new RegExp(`^at://${alice.did}/${POST}/[2-7a-z]{13}$`))
    expect(res.validationStatus).toBe('valid')
    expect(res.commit?.rev).toBe(env.repo.getRoot(alice.did)!.rev)
    const rkey = res.uri.split('/').at(-1)!
    const record = env.repo.getRecord({ repo: 'alice.test', collection: POST, rkey })
    expect(record.cid.equals(res.cid)).toBe(true)
    expect(record.value).toMatchObject({ text: 'hello' })
    const exported = await verified(alice)
    expect(exported.records.get(`${POST}/${rkey}`)).toBe(res.cid.toString())
  })

  test('putRecord creates, updates, and changes nothing for identical content', async () => {
    const profile = { $type: 'app.bsky.actor.profile', displayName: 'Alice' }
    const input = { repo: alice.did, collection: 'app.bsky.actor.profile', rkey: 'self', record: profile }
    const created = await env.repo.putRecord(alice.did, input)
    const same = await env.repo.putRecord(alice.did, input)
    expect(same.commit).toBeNull()
    expect(same.cid.equals(created.cid)).toBe(true)
    const updated = await env.repo.putRecord(alice.did, {
      ...input,
      record: { ...profile, displayName: 'A.' },
    })
    expect(updated.commit!.rev > created.commit!.rev).toBe(true)
    expect((await verified(alice)).records.get('app.bsky.actor.profile/self')).toBe(updated.cid.toString())
  })

  test('deleteRecord removes a record; deleting a missing record makes no commit', async () => {
    const res = await env.repo.createRecord(alice.did, {
      repo: alice.did,
      collection: POST,
      record: post('bye'),
    })
    const rkey = res.uri.split('/').at(-1)!
    const deleted = await env.repo.deleteRecord(alice.did, { repo: alice.did, collection: POST, rkey })
    expect(deleted.commit).not.toBeNull()
    const again = await env.repo.deleteRecord(alice.did, { repo: alice.did, collection: POST, rkey })
    expect(again.commit).toBeNull()
    expect((await verified(alice)).records.has(`${POST}/${rkey}`)).toBe(false)
  })

  test('applyWrites commits creates, updates and deletes in one commit', async () => {
    const before = env.repo.getRoot(alice.did)!
    const res = await env.repo.applyWrites(alice.did, {
      repo: alice.did,
      writes: [
        {
          $type: 'com.atproto.repo.applyWrites#create',
          collection: POST,
          rkey: '3kaaaaaaaaaa2',
          value: post('a'),
        },
        {
          $type: 'com.atproto.repo.applyWrites#create',
          collection: POST,
          rkey: '3kaaaaaaaaaa3',
          value: post('b'),
        },
      ],
    })
    expect(res.results.map((r) => r.action)).toEqual(['create', 'create'])
    const second = await env.repo.applyWrites(alice.did, {
      repo: alice.did,
      writes: [
        {
          $type: 'com.atproto.repo.applyWrites#update',
          collection: POST,
          rkey: '3kaaaaaaaaaa2',
          value: post('a2'),
        },
        { $type: 'com.atproto.repo.applyWrites#delete', collection: POST, rkey: '3kaaaaaaaaaa3' },
      ],
    })
    expect(second.results.map((r) => [r.action, r.cid === null])).toEqual([
      ['update', false],
      ['delete', true],
    ])
    expect(second.commit.rev > before.rev).toBe(true)
    const records = (await verified(alice)).records
    expect(records.get(`${POST}/3kaaaaaaaaaa2`)).toBe(second.results[0]!.cid!.toString())
    expect(records.has(`${POST}/3kaaaaaaaaaa3`)).toBe(false)
  })

  test('applyWrites with no writes makes an empty commit with a new rev', async () => {
    const before = env.repo.getRoot(alice.did)!
    const res = await env.repo.applyWrites(alice.did, { repo: alice.did, writes: [] })
    expect(res.commit.rev > before.rev).toBe(true)
    expect(env.repo.getRoot(alice.did)!.data.equals(before.data)).toBe(true)
    await verified(alice)
  })

  test('applyWrites refuses more than 200 writes, and a delete of a missing record', async () => {
    const writes = Array.from({ length: 201 }, () => ({
      $type: 'com.atproto.repo.applyWrites#create',
      collection: POST,
      value: post('x'),
    }))
    await rejects(
      env.repo.applyWrites(alice.did, { repo: alice.did, writes }),
      400,
      'InvalidRequest',
      /Max: 200/,
    )
    await rejects(
      env.repo.applyWrites(alice.did, {
        repo: alice.did,
        writes: [{ $type: 'com.atproto.repo.applyWrites#delete', collection: POST, rkey: '3kzzzzzzzzzz2' }],
      }),
      400,
      'InvalidRequest',
      /not found/,
    )
  })

  test('creating a record at an existing key is refused and changes nothing', async () => {
    const input = { repo: alice.did, collection: POST, rkey: '3kbbbbbbbbbb2', record: post('first') }
    await env.repo.createRecord(alice.did, input)
    const root = env.repo.getRoot(alice.did)!
    await rejects(
      env.repo.createRecord(alice.did, { ...input, record: post('second') }),
      400,
      'InvalidRequest',
      /already exists/,
    )
    expect(env.repo.getRoot(alice.did)!.cid.equals(root.cid)).toBe(true)
  })
})

describe('swaps', () => {
  const bob = env.createAccount('bob.test')

  test('a stale swapCommit is InvalidSwap; the current one commits', async () => {
    const stale = env.repo.getRoot(bob.did)!.cid.toString()
    await env.repo.createRecord(bob.did, { repo: bob.did, collection: POST, record: post('1') })
    await rejects(
      env.repo.createRecord(bob.did, {
        repo: bob.did,
        collection: POST,
        record: post('2'),
        swapCommit: stale,
      }),
      400,
      'InvalidSwap',
      /Commit was at/,
    )
    const current = env.repo.getRoot(bob.did)!.cid.toString()
    const ok = await env.repo.createRecord(bob.did, {
      repo: bob.did,
      collection: POST,
      record: post('2'),
      swapCommit: current,
    })
    expect(ok.commit).not.toBeNull()
  })

  test('swapRecord must name the current record; null requires that none exists', async () => {
    const input = { repo: bob.did, collection: 'app.bsky.actor.profile', rkey: 'self' }
    const first = await env.repo.putRecord(bob.did, {
      ...input,
      record: { displayName: 'B' },
      swapRecord: null,
    })
    await rejects(
      env.repo.putRecord(bob.did, { ...input, record: { displayName: 'C' }, swapRecord: null }),
      400,
      'InvalidSwap',
      new RegExp(`Record was at ${first.cid}`),
    )
    const second = await env.repo.putRecord(bob.did, {
      ...input,
      record: { displayName: 'C' },
      swapRecord: first.cid.toString(),
    })
    await rejects(
      env.repo.deleteRecord(bob.did, { ...input, swapRecord: first.cid.toString() }),
      400,
      'InvalidSwap',
    )
    const deleted = await env.repo.deleteRecord(bob.did, { ...input, swapRecord: second.cid.toString() })
    expect(deleted.commit).not.toBeNull()
    await verified(bob)
  })
})

describe('validation', () => {
  const carol = env.createAccount('carol.test')
  const create = (input: Record<string, unknown>) =>
    env.repo.createRecord(carol.did, { repo: carol.did, collection: POST, record: post('x'), ...input })

  test('an invalid record of a known type is refused with the lexicon path', async () => {
    await rejects(
      create({ record: post('x'.repeat(3001)) }),
      400,
      'InvalidRequest',
      /Invalid app.bsky.feed.post record: Record\/text/,
    )
  })

  test('the $type must match the collection unless validate is false', async () => {
    await rejects(
      create({ record: { ...post('x'), $type: 'app.bsky.feed.like' } }),
      400,
      'InvalidRequest',
      /Invalid \$type/,
    )
  })

  test('unknown types: stored as unknown when validate is unset, refused when true, unchecked when false', async () => {
    const record = { $type: 'com.example.thing', anything: 1 }
    const unset = await create({ collection: 'com.example.thing', record })
    expect(unset.validationStatus).toBe('unknown')
    await rejects(
      create({ collection: 'com.example.thing', record, validate: true }),
      400,
      'InvalidRequest',
      /Lexicon not found/,
    )
    const off = await create({ collection: POST, record: { $type: POST, nonsense: true }, validate: false })
    expect(off.validationStatus).toBeUndefined()
    await verified(carol)
  })

  test('a record key must fit the lexicon key type when validating', async () => {
    await rejects(
      env.repo.putRecord(carol.did, {
        repo: carol.did,
        collection: 'app.bsky.actor.profile',
        rkey: 'notself',
        record: { displayName: 'x' },
      }),
      400,
      'InvalidRequest',
      /record key/,
    )
  })

  test('legacy blob refs are refused', async () => {
    const record = {
      ...post('x'),
      embed: { $type: 'app.bsky.embed.images', images: [] },
      old: { cid: 'bafkreibjfgx2gprinfvicegelk5kosd6y2frmqpqzwqkg7usac74l3t2v4', mimeType: 'image/png' },
    }
    await rejects(create({ record, validate: false }), 400, 'InvalidRequest', /Legacy blob ref at 'old'/)
  })
})
