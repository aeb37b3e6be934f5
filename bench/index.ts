// `bun run bench`: runs every benchmark and prints one JSON document. Figures, not assertions:
// compare them across commits on the same machine. Each suite runs in a process of its own, so
// one suite's heap, JIT state and leftover work never weigh on the next one's figures (the HTTP
// suites' load generators run in that process). `bun run bench repoHttp firehose` runs a subset.
import { resolve } from 'node:path'

const SUITES: Record<string, string> = {
  codec: 'core-codec.ts',
  repo: 'core-repo.ts',
  repoHttp: 'repo-http.ts',
  firehose: 'firehose.ts',
  startup: 'startup.ts',
}

const results: Record<string, unknown> = {
  machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version, date: new Date().toISOString() },
}
const only = process.argv.slice(2)
for (const [name, file] of Object.entries(SUITES)) {
  if (only.length > 0 && !only.includes(name)) continue
  results[name] = await runSuite(resolve(import.meta.dir, file))
}
console.log(JSON.stringify(results, null, 2))

/** The JSON a suite prints when run as a script. */
async function runSuite(path: string): Promise<unknown> {
  const child = Bun.spawn(['bun', path], { stdout: 'pipe', stderr: 'inherit' })
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
  if (code !== 0) throw new Error(`${path} exited with ${code}`)
  return JSON.parse(out)
}
