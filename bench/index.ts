// `bun run bench`: runs every benchmark and prints one JSON document. Figures, not assertions:
// compare them across commits on the same machine.
import { benchCodec } from './core-codec.ts'
import { benchRepo } from './core-repo.ts'
import { benchFirehose } from './firehose.ts'
import { benchRepoHttp } from './repo-http.ts'
import { benchStartup } from './startup.ts'

const results: Record<string, unknown> = {
  machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version, date: new Date().toISOString() },
}
const only = process.argv.slice(2)
const suites: Record<string, () => Promise<Record<string, number>>> = {
  codec: benchCodec,
  repo: benchRepo,
  repoHttp: benchRepoHttp,
  firehose: benchFirehose,
  startup: benchStartup,
}
for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue
  results[name] = await run()
}
console.log(JSON.stringify(results, null, 2))
