/**
 * Crash safety: a child process writes records and acknowledges each one after its transaction
 * committed; it is killed with SIGKILL at arbitrary points, twenty times. After every kill,
 * every acknowledged record is in the repository and the repository verifies with
 * @atproto/repo. (One transaction per write means there is nothing to recover.)
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openRepoEnv } from '../../helpers/repo-env.ts'
import { verifyExport } from '../../helpers/repo-verify.ts'

const ROUNDS = 20
const dir = mkdtempSync(join(tmpdir(), 'perlsky-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const writer = join(import.meta.dir, '../../helpers/crash-writer.ts')

/** Runs the writer until it has acknowledged `count` writes, kills it, returns what it acknowledged. */
async function runAndKill(did: string, keyHex: string, count: number): Promise<string[]> {
  const child = Bun.spawn(['bun', writer, dir, did, keyHex], { stdout: 'pipe', stderr: 'inherit' })
  const acked: string[] = []
  let buffered = ''
  const decoder = new TextDecoder()
  for await (const chunk of child.stdout) {
    buffered += decoder.decode(chunk, { stream: true })
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    acked.push(...lines)
    if (acked.length >= count) {
      child.kill('SIGKILL')
      break
    }
  }
  await child.exited
  return acked
}

test('every acknowledged write survives SIGKILL and the repository verifies', async () => {
  const setup = openRepoEnv({ dir })
  const account = setup.createAccount('crash.test')
  const keyHex = account.keypair.exportPrivateKey().toHex()
  setup.close()
  const acknowledged: string[] = []
  for (let round = 0; round < ROUNDS; round++) {
    acknowledged.push(...(await runAndKill(account.did, keyHex, 1 + Math.floor(Math.random() * 40))))
    const env = openRepoEnv({ dir })
    env.adoptAccount(account)
    try {
      const { records } = await verifyExport(env, account.did, account.keypair.did())
      const missing = acknowledged.filter((rkey) => !records.has(`app.bsky.feed.post/${rkey}`))
      expect(missing).toEqual([])
      expect(records.size).toBeGreaterThanOrEqual(acknowledged.length)
    } finally {
      env.close()
    }
  }
}, 120_000)
