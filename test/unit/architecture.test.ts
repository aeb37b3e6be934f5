// The layer rule of docs/ARCHITECTURE.md: imports point one way only, and elysia / bun:sqlite stay
// inside their layers.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const SRC = resolve(import.meta.dir, '../../src')
const LAYERS: Record<string, number> = {
  data: 0,
  core: 0,
  lib: 0,
  config: 0,
  storage: 1,
  services: 2,
  http: 3,
  cli: 4,
}

function layerOf(file: string): string {
  const rel = relative(SRC, file)
  // Vendored data outside src/ (lexicons/, package.json) is static input, importable from any layer.
  if (rel.startsWith('..')) return 'data'
  const top = rel.split('/')[0] ?? ''
  return top.endsWith('.ts') ? 'cli' : top // src/main.ts sits with the CLI
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

const transpiler = new Bun.Transpiler({ loader: 'ts' })
const files = sourceFiles(SRC)

describe('architecture', () => {
  test('finds source files', () => {
    expect(files.length).toBeGreaterThan(0)
  })

  for (const file of files) {
    const layer = layerOf(file)
    test(`${relative(SRC, file)} respects the layer rule`, () => {
      const imports = transpiler.scanImports(readFileSync(file, 'utf8'))
      for (const { path } of imports) {
        if (path === 'elysia' || path.startsWith('@elysiajs/')) {
          if (layer !== 'http') throw new Error(`${relative(SRC, file)} imports ${path} outside http/`)
        }
        if (path === 'bun:sqlite' && layer !== 'storage') {
          throw new Error(`${relative(SRC, file)} imports bun:sqlite outside storage/`)
        }
        if (!path.startsWith('.')) continue
        const target = layerOf(resolve(dirname(file), path))
        const ok =
          (LAYERS[target] ?? 99) <= (LAYERS[layer] ?? 99) &&
          !(layer === 'config' && target !== 'config' && target !== 'core')
        if (!ok) throw new Error(`${relative(SRC, file)} (${layer}) imports ${path} (${target})`)
      }
    })
  }

  test('core has no I/O imports', () => {
    for (const file of files.filter((f) => layerOf(f) === 'core')) {
      const imports = transpiler.scanImports(readFileSync(file, 'utf8')).map((i) => i.path)
      const io = imports.filter((p) => /^(node:)?(fs|net|http|https|child_process|dns)(\/|$)|^bun:/.test(p))
      if (io.length) throw new Error(`${relative(SRC, file)} imports ${io.join(', ')}`)
    }
  })
})
