/**
 * `bun run build`: compiles src/main.ts into the self-contained executable dist/perlsky.
 * - minify whitespace and syntax only: identifier minification breaks Elysia's AOT compilation.
 * - bytecode: starts faster (the JS is parsed at build time); ESM bytecode needs `compile`.
 * - splitting: what is only imported with `import()` (the HTTP stack, @sentry/bun, nodemailer)
 *   becomes chunks of its own inside the binary. In one chunk, every function of every module is
 *   declared at the top of the bundle and instantiated at start, loaded or not (~4 MiB of RSS).
 * - autoloadDotenv/autoloadBunfig off: the binary must not change behaviour because a .env or
 *   bunfig.toml happens to sit in its working directory. Config comes from the config file only.
 * - jitPolicy: JavaScriptCore's tier-up thresholds start 8x higher, so code that runs once at
 *   startup stays in the interpreter instead of being JIT-compiled. `serve` restores the normal
 *   policy once it listens; the short-lived commands keep it.
 * - bytecodeOrder: the binary is built twice. The first build is started once, `serve` up to its
 *   first /_health on a throwaway dev config, recording which functions startup runs; the second
 *   build places their bytecode first, so a start touches fewer pages of the binary. Only the
 *   layout changes. Together with jitPolicy this lowers idle memory by ~7 MiB (bench/startup.ts).
 * - execArgv --smol: JavaScriptCore collects garbage more eagerly, keeping a busy server's RSS
 *   ~8 MiB lower (bench/repo-http.ts: 135-142 against 139-149 MiB) at no throughput cost we
 *   could measure; start-up time and idle memory do not change.
 * - worker entry points: a compiled binary starts a Worker only from a file built as an entry
 *   point of its own (the signature nonce worker, services/signing/nonce-worker.ts, and the
 *   firehose thread, http/firehose-thread-worker.ts; lib/worker-url.ts finds them).
 * - PERLSKY_VERSION: package version plus the git commit, e.g. "0.1.0+1a2b3c4".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { version } from './package.json'
import { buildDevConfig } from './src/config/dev.ts'

export const OUTFILE = 'dist/perlsky'
const OUTPATH = `${import.meta.dir}/${OUTFILE}`

function gitShortSha(): string | undefined {
  const result = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], {
    cwd: import.meta.dir,
    stderr: 'ignore',
  })
  const sha = result.stdout.toString().trim()
  return result.success && sha.length > 0 ? sha : undefined
}

async function compile(fullVersion: string, bytecodeOrder?: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [
      `${import.meta.dir}/src/main.ts`,
      `${import.meta.dir}/src/services/signing/nonce-worker.ts`,
      `${import.meta.dir}/src/http/firehose-thread-worker.ts`,
    ],
    target: 'bun',
    format: 'esm',
    compile: {
      outfile: OUTPATH,
      autoloadDotenv: false,
      autoloadBunfig: false,
      jitPolicy: 8,
      bytecodeOrder,
      execArgv: ['--smol'],
    },
    minify: { whitespace: true, syntax: true },
    bytecode: true,
    splitting: true,
    define: { PERLSKY_VERSION: JSON.stringify(fullVersion) },
  })
  if (!result.success) {
    throw new AggregateError(result.logs, 'build failed')
  }
}

/** Starts the built binary as an ordinary `serve` and returns the bytecode order profile it wrote. */
async function recordStartupProfile(dir: string): Promise<string> {
  const config = join(dir, 'perlsky.json')
  writeFileSync(config, JSON.stringify({ ...buildDevConfig(), port: 0, log_level: 'info' }), { mode: 0o600 })
  const migrate = Bun.spawn([OUTPATH, 'migrate', '--config', config], { stdout: 'ignore', stderr: 'pipe' })
  if ((await migrate.exited) !== 0) throw await failure('migrate', migrate)
  const profile = join(dir, 'startup.order')
  const serve = Bun.spawn([OUTPATH, 'serve', '--config', config], {
    env: { ...process.env, BUN_BYTECODE_ORDER_OUT: profile },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  try {
    const url = await listeningUrl(serve.stdout)
    const health = await fetch(`${url}/_health`, { signal: AbortSignal.timeout(10_000) })
    if (health.status !== 200) throw new Error(`/_health answered ${health.status}`)
  } catch (err) {
    serve.kill('SIGKILL')
    throw await failure(`serve (${(err as Error).message})`, serve)
  }
  serve.kill('SIGTERM')
  if ((await serve.exited) !== 0) throw await failure('serve', serve)
  return profile
}

/**
 * The URL from serve's "listening on URL" line. The reader is released, not cancelled: closing
 * the pipe would make serve's next write to stdout fail.
 */
async function listeningUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stdout.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) throw new Error('exited before listening')
      text += decoder.decode(value, { stream: true })
      const url = / listening on (\S+) /.exec(text)?.[1]
      if (url !== undefined) return url
    }
  } finally {
    reader.releaseLock()
  }
}

async function failure(what: string, child: { exited: Promise<number>; stderr: ReadableStream<Uint8Array> }) {
  const code = await child.exited
  const stderr = await new Response(child.stderr).text()
  return new Error(`recording the startup profile: ${what} failed (exit ${code}):\n${stderr}`)
}

export async function build(): Promise<string> {
  const sha = gitShortSha()
  const fullVersion = sha === undefined ? version : `${version}+${sha}`
  const dir = mkdtempSync(join(tmpdir(), 'perlsky-build-'))
  try {
    await compile(fullVersion)
    await compile(fullVersion, await recordStartupProfile(dir))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return fullVersion
}

if (import.meta.main) {
  const started = performance.now()
  try {
    const built = await build()
    console.log(`built ${OUTFILE} (perlsky ${built}) in ${Math.round(performance.now() - started)} ms`)
  } catch (err) {
    for (const log of err instanceof AggregateError ? err.errors : [err]) console.error(log)
    process.exit(1)
  }
}
