/**
 * Eight clients writing at once over HTTP, four to one repository and four to their own: every
 * acknowledged write is committed exactly once, each repository's commits chain (each `since`
 * is the previous `rev`, revs strictly increase), and event seqs are contiguous.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { decodeCbor } from '../../src/core/cbor.ts'
import type { SequencedEvent } from '../../src/services/sequencer/index.ts'
import { PASSWORD, type SignedUp, signUp, verifyRepo } from '../helpers/agents.ts'
import { type Harness, startHarness } from './harness.ts'

const WRITES_PER_CLIENT = 25
let h: Harness
let accounts: SignedUp[]
beforeAll(async () => {
  h = await startHarness()
  accounts = []
  for (const name of ['shared', 'solo1', 'solo2', 'solo3', 'solo4']) accounts.push(await signUp(h, name))
})
afterAll(() => h.stop())

async function client(account: SignedUp): Promise<string[]> {
  const agent = new AtpAgent({ service: h.url })
  await agent.login({ identifier: account.handle, password: PASSWORD })
  const uris: string[] = []
  for (let i = 0; i < WRITES_PER_CLIENT; i++) {
    const res = await agent.com.atproto.repo.createRecord({
      repo: account.did,
      collection: 'app.bsky.feed.post',
      record: { $type: 'app.bsky.feed.post', text: `post ${i}`, createdAt: new Date().toISOString() },
    })
    uris.push(res.data.uri)
  }
  return uris
}

test('concurrent writers lose and duplicate nothing; commits chain and seqs are contiguous', async () => {
  const [shared, ...solos] = accounts as [SignedUp, ...SignedUp[]]
  const events: SequencedEvent[] = []
  const stop = h.ctx.sequencer.subscribe((event) => events.push(event))
  const results = await Promise.all(
    [...Array(4).fill(shared), ...solos].map((account: SignedUp) => client(account)),
  )
  stop()
  const written = results.flat()
  expect(new Set(written).size).toBe(8 * WRITES_PER_CLIENT)
  expect(events.map((e) => e.seq - events[0]!.seq)).toEqual(events.map((_, i) => i))
  expect(events.every((e) => e.type === 'commit')).toBe(true)
  expect(events).toHaveLength(8 * WRITES_PER_CLIENT)
  for (const account of accounts) {
    const commits = events
      .filter((e) => e.did === account.did)
      .map((e) => decodeCbor(e.event) as { rev: string; since: string })
    for (let i = 1; i < commits.length; i++) {
      expect(commits[i]!.since).toBe(commits[i - 1]!.rev)
      expect(commits[i]!.rev > commits[i - 1]!.rev).toBe(true)
    }
    const { records, rev } = await verifyRepo(h, account.did)
    const mine = written.filter((uri) => uri.startsWith(`at://${account.did}/`))
    expect(records.size).toBe(mine.length)
    expect(commits.at(-1)!.rev).toBe(rev)
  }
}, 60_000)
