/**
 * `bun run build`: compiles src/main.ts into the self-contained executable dist/perlsky.
 * - minify whitespace and syntax only: identifier minification breaks Elysia's AOT compilation.
 * - bytecode: starts faster (the JS is parsed at build time); ESM bytecode needs `compile`.
 * - autoloadDotenv/autoloadBunfig off: the binary must not change behaviour because a .env or
 *   bunfig.toml happens to sit in its working directory. Config comes from the config file only.
 * - PERLSKY_VERSION: package version plus the git commit, e.g. "0.1.0+1a2b3c4".
 */
import { version } from './package.json'

export const OUTFILE = 'dist/perlsky'

function gitShortSha(): string | undefined {
  const result = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], {
    cwd: import.meta.dir,
    stderr: 'ignore',
  })
  const sha = result.stdout.toString().trim()
  return result.success && sha.length > 0 ? sha : undefined
}

export async function build(): Promise<string> {
  const sha = gitShortSha()
  const fullVersion = sha === undefined ? version : `${version}+${sha}`
  const result = await Bun.build({
    entrypoints: [`${import.meta.dir}/src/main.ts`],
    target: 'bun',
    format: 'esm',
    compile: { outfile: `${import.meta.dir}/${OUTFILE}`, autoloadDotenv: false, autoloadBunfig: false },
    minify: { whitespace: true, syntax: true },
    bytecode: true,
    define: { PERLSKY_VERSION: JSON.stringify(fullVersion) },
  })
  if (!result.success) {
    throw new AggregateError(result.logs, 'build failed')
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
