// Copies the official atproto interop fixtures from ../shared/interop-tests into
// test/fixtures/interop/ verbatim (they are CC0). Run after the shared snapshot is updated, then
// note the new source commit in test/fixtures/interop/SOURCE.md.
import { cpSync, existsSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'

const source = resolve(import.meta.dir, '../../shared/interop-tests')
const target = resolve(import.meta.dir, '../test/fixtures/interop')
if (!existsSync(source)) {
  console.error(`fixtures source not found: ${source}`)
  process.exit(1)
}
for (const set of ['crypto', 'data-model', 'syntax', 'mst', 'firehose', 'lexicon']) {
  rmSync(resolve(target, set), { recursive: true, force: true })
  cpSync(resolve(source, set), resolve(target, set), { recursive: true })
}
cpSync(resolve(source, 'LICENSE-CC0'), resolve(target, 'LICENSE-CC0'))
cpSync(resolve(source, 'README.md'), resolve(target, 'README.md'))
console.log(`copied interop fixtures into ${target}`)
