// What the HTTP benchmarks share: the compiled binary (built once per bench run, so the figures
// are the product's and never a stale build's), free ports, health polling and a process's RSS.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '..')
let build: Promise<string> | undefined

/** dist/perlsky built from the working tree by this bench process. */
export function builtBinary(): Promise<string> {
  build ??= (async () => {
    const child = Bun.spawn(['bun', 'run', 'build.ts'], { cwd: ROOT, stdout: 'ignore', stderr: 'pipe' })
    if ((await child.exited) !== 0)
      throw new Error(`build failed: ${await new Response(child.stderr).text()}`)
    return join(ROOT, 'dist/perlsky')
  })()
  return build
}

export async function waitForHealth(base: string, child: Bun.Subprocess): Promise<void> {
  for (let attempt = 0; attempt < 5000; attempt++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`)
    if ((await fetch(`${base}/_health`).catch(() => undefined))?.status === 200) return
    await Bun.sleep(2)
  }
  throw new Error('serve did not become healthy')
}

export function rssMibOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = probe
  probe.stop(true)
  return port
}
