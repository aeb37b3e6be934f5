/**
 * Child process of the crash-safety test: writes records to one repository through the repo
 * service as fast as it can and prints each record key on its own line once the write has
 * committed (the acknowledgement). The parent kills it with SIGKILL at arbitrary points.
 *
 *   bun test/helpers/crash-writer.ts <dir> <did> <private key hex>
 */
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { openRepoEnv } from './repo-env.ts'

const [dir, did, keyHex] = process.argv.slice(2)
if (!dir || !did || !keyHex) throw new Error('usage: crash-writer.ts <dir> <did> <key hex>')
const env = openRepoEnv({ dir })
env.adoptAccount({ did, handle: 'crash.test', keypair: Secp256k1Keypair.import(keyHex) })
const POST = 'app.bsky.feed.post'
const record = (i: number) => ({ $type: POST, text: `write ${i}`, createdAt: new Date().toISOString() })

for (let i = 0; ; i++) {
  if (i % 4 === 3) {
    const res = await env.repo.applyWrites(did, {
      repo: did,
      writes: [0, 1, 2].map(() => ({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: POST,
        value: record(i),
      })),
    })
    process.stdout.write(`${res.results.map((r) => r.uri.split('/').at(-1)).join('\n')}\n`)
  } else {
    const res = await env.repo.createRecord(did, { repo: did, collection: POST, record: record(i) })
    process.stdout.write(`${res.uri.split('/').at(-1)}\n`)
  }
}
