import { afterAll, describe, expect, test } from 'bun:test'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { version } from '../../package.json'
import { MIGRATIONS } from '../../src/storage/migrations/index.ts'
import { runPerlsky } from '../helpers/cli-run.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-cli-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const JWT_SECRET = 'cli-test-jwt-secret-0123456789'
let counter = 0

const run = (argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) =>
  runPerlsky(argv, opts.cwd ?? dir, opts.env ?? {})

/** Writes a config (mode 0600) in its own directory; data_dir is relative to it. */
function writeConfig(overrides: Record<string, unknown> = {}, mode = 0o600): string {
  counter += 1
  const caseDir = join(dir, `case-${counter}`)
  mkdirSync(caseDir)
  const path = join(caseDir, 'perlsky.json')
  const json = {
    base_url: 'http://localhost:2583',
    service_handle_domain: 'test',
    account_did_method: 'did:web',
    jwt_secret: JWT_SECRET,
    data_dir: 'data',
    ...overrides,
  }
  writeFileSync(path, JSON.stringify(json), { mode })
  chmodSync(path, mode)
  return path
}

describe('perlsky usage', () => {
  test('without a command prints usage on stderr and exits 2', async () => {
    const r = await run([])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('usage: perlsky <command>')
  })

  test('an unknown command prints usage on stderr and exits 2', async () => {
    const r = await run(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("unknown command 'frobnicate'")
    expect(r.stdout).toBe('')
  })

  test('help lists every command and exits 0', async () => {
    const r = await run(['help'])
    expect(r.code).toBe(0)
    for (const name of ['serve', 'migrate', 'admin', 'version', 'help'])
      expect(r.stdout).toContain(`  ${name}`)
  })

  test('help <command> prints that command’s usage', async () => {
    const r = await run(['help', 'migrate'])
    expect(r.code).toBe(0)
    expect(r.stdout).toStartWith('usage: perlsky migrate')
    expect((await run(['help', 'nope'])).code).toBe(2)
  })

  for (const argv of [['serve'], ['migrate'], ['version'], ['admin', 'config-check']]) {
    test(`${argv.join(' ')} --help prints usage on stdout and exits 0`, async () => {
      const r = await run([...argv, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toStartWith(`usage: perlsky ${argv.join(' ')}`)
    })
  }

  test('an unknown flag prints the command usage on stderr and exits 2', async () => {
    const r = await run(['serve', '--frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("Unknown option '--frobnicate'")
    expect(r.stderr).toContain('usage: perlsky serve')
  })

  test('a flag without its value exits 2', async () => {
    expect((await run(['migrate', '--config'])).code).toBe(2)
  })

  test('--config and --dev together exit 2', async () => {
    const r = await run(['admin', 'config-check', '--dev', '--config', 'x.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('exclude each other')
  })
})

describe('perlsky version', () => {
  test('prints the package version when running from source', async () => {
    expect(await run(['version'])).toEqual({ code: 0, stdout: `perlsky ${version}\n`, stderr: '' })
    expect((await run(['--version'])).stdout).toBe(`perlsky ${version}\n`)
  })

  test('takes no arguments', async () => {
    expect((await run(['version', 'extra'])).code).toBe(2)
  })
})

describe('config errors', () => {
  test('a missing config file exits 2 naming the file', async () => {
    const missing = join(dir, 'missing.json')
    const r = await run(['serve', '--config', missing])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`config error: ${missing}: cannot be read (ENOENT)\n`)
  })

  test('invalid JSON exits 2 without quoting the file', async () => {
    const path = writeConfig()
    writeFileSync(path, '{ "jwt_secret": supersecretvalue }')
    const r = await run(['serve', '--config', path])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`config error: ${path}: is not valid JSON`)
    expect(r.stderr).not.toContain('supersecretvalue')
  })

  test('serve with an invalid config prints every config error and exits 2', async () => {
    const path = writeConfig({ port: 'eighty', jwt_secret: 'perlsky-dev-secret', data_dir: undefined })
    const r = await run(['serve', '--config', path])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([
      'config error: port: must be a number, not a string',
      'config error: jwt_secret: is the old public development fallback; generate one with `openssl rand -hex 32`',
      'config error: data_dir: is required',
    ])
  })

  test('the config path falls back to PERLSKY_CONFIG', async () => {
    const path = writeConfig({ port: 'eighty' })
    const r = await run(['admin', 'config-check'], { env: { PERLSKY_CONFIG: path } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('config error: port:')
  })

  test('unknown keys and a world-readable file are warnings on stderr', async () => {
    const path = writeConfig({ jwt_secert: 'typo' }, 0o644)
    const r = await run(['admin', 'config-check', '--config', path])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('config warning: unknown key "jwt_secert" (ignored)')
    expect(r.stderr).toContain(`config warning: ${path}: is readable by every user`)
  })
})

describe('perlsky admin', () => {
  test('without a subcommand lists the admin commands and exits 2', async () => {
    const r = await run(['admin'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('config-check')
  })

  test('config-check prints the resolved config as JSON with secrets redacted', async () => {
    const path = writeConfig({ admin_password: 'admin-password-secret' })
    const r = await run(['admin', 'config-check', '--config', path])
    expect(r.code).toBe(0)
    const printed = JSON.parse(r.stdout)
    expect(printed).toMatchObject({
      jwt_secret: '[redacted]',
      admin_password: '[redacted]',
      data_dir: join(path, '..', 'data'),
      port: 7755,
    })
    expect(r.stdout).not.toContain(JWT_SECRET)
    expect(r.stdout).not.toContain('admin-password-secret')
  })
})

describe('perlsky migrate', () => {
  test('status before the database exists lists pending migrations without creating it', async () => {
    const path = writeConfig()
    const r = await run(['migrate', 'status', '--config', path])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(not created yet)')
    expect(r.stdout).toMatch(/^001 initial\s+pending$/m)
    expect(existsSync(join(path, '..', 'data'))).toBe(false)
  })

  test('applies pending migrations once, then reports the database up to date', async () => {
    const path = writeConfig()
    const first = await run(['migrate', '--config', path])
    expect(first.code).toBe(0)
    expect(first.stdout).toStartWith('applied 001 initial\n')
    expect(first.stdout.trim().split('\n')).toHaveLength(MIGRATIONS.length)
    const again = await run(['migrate', '--config', path])
    expect(again.stdout).toContain('is up to date')
    const status = await run(['migrate', 'status', '--config', path])
    expect(status.stdout).toMatch(/^001 initial\s+applied \d{4}-\d\d-\d\dT/m)
  })

  test('a database that cannot be opened exits 1 with the reason', async () => {
    const blocker = join(dir, 'plain-file')
    writeFileSync(blocker, 'not a directory')
    const path = writeConfig({ db_path: join(blocker, 'perlsky.sqlite') })
    const r = await run(['migrate', '--config', path])
    expect(r.code).toBe(1)
    expect(r.stderr).toStartWith(`perlsky: cannot open database at ${join(blocker, 'perlsky.sqlite')}`)
  })

  test('an unknown action exits 2', async () => {
    const r = await run(['migrate', 'sideways', '--config', writeConfig()])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("unexpected argument 'sideways'")
  })
})

describe('dev config', () => {
  test('is written once to ./data/dev-config.json (mode 0600) and reused', async () => {
    const cwd = join(dir, 'dev-project')
    mkdirSync(cwd)
    const first = await run(['admin', 'config-check'], { cwd })
    expect(first.code).toBe(0)
    const file = join(cwd, 'data', 'dev-config.json')
    expect(first.stderr).toContain(`created the dev config ${file}`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(first.stdout)).toMatchObject({
      base_url: 'http://localhost:2583',
      db_path: join(cwd, 'data', 'perlsky.sqlite'),
    })
    const content = readFileSync(file, 'utf8')
    const second = await run(['admin', 'config-check', '--dev'], { cwd })
    expect(second.code).toBe(0)
    expect(second.stderr).toBe('')
    expect(readFileSync(file, 'utf8')).toBe(content)
  })
})
