import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseUnavailableError, Db } from '../../../src/storage/database.ts'
import { MigrationError, migrate, migrationStatus } from '../../../src/storage/migrate.ts'
import { MIGRATIONS } from '../../../src/storage/migrations/index.ts'
import type { Migration } from '../../../src/storage/migrations/migration.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-db-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let counter = 0
function freshPath(): string {
  counter += 1
  return join(dir, `case-${counter}`, 'nested', 'perlsky.sqlite')
}

function pragma(db: Db, name: string): unknown {
  const row = db.prepare<Record<string, unknown>, []>(`PRAGMA ${name}`).get()
  return row === null ? undefined : Object.values(row)[0]
}

describe('Db.open', () => {
  test('creates the parent directories and sets WAL, NORMAL sync, foreign keys and busy_timeout', () => {
    const db = Db.open(freshPath())
    expect(pragma(db, 'journal_mode')).toBe('wal')
    expect(pragma(db, 'synchronous')).toBe(1) // NORMAL
    expect(pragma(db, 'foreign_keys')).toBe(1)
    expect(pragma(db, 'busy_timeout')).toBe(5000)
    db.close()
  })

  test('creates the database file readable by its owner only', () => {
    const path = freshPath()
    Db.open(path).close()
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  test('reports a path under a regular file as DatabaseUnavailableError', () => {
    const file = join(dir, 'not-a-directory')
    writeFileSync(file, 'x')
    expect(() => Db.open(join(file, 'perlsky.sqlite'))).toThrow(DatabaseUnavailableError)
  })

  test('reports a file that is not SQLite as DatabaseUnavailableError', () => {
    const file = join(dir, 'garbage.sqlite')
    writeFileSync(file, Buffer.alloc(4096, 7))
    expect(() => Db.open(file)).toThrow(DatabaseUnavailableError)
  })

  test('caches prepared statements by SQL text', () => {
    const db = Db.open(freshPath())
    expect(db.prepare('SELECT 1')).toBe(db.prepare('SELECT 1'))
    db.close()
  })
})

describe('Db.transaction', () => {
  test('commits on return and rolls back when the function throws', () => {
    const db = Db.open(freshPath())
    migrate(db)
    const insert = db.prepare('INSERT INTO server_meta (key, value) VALUES (?, ?)')
    db.transaction(() => insert.run('kept', '1'))
    expect(() =>
      db.transaction(() => {
        insert.run('dropped', '1')
        throw new Error('boom')
      }),
    ).toThrow('boom')
    const keys = db.prepare<{ key: string }, []>('SELECT key FROM server_meta ORDER BY key').all()
    expect(keys.map((r) => r.key)).toEqual(['kept'])
    db.close()
  })
})

describe('Db.healthCheck', () => {
  test('passes on an open database and throws DatabaseUnavailableError once closed', () => {
    const db = Db.open(freshPath())
    expect(() => db.healthCheck()).not.toThrow()
    db.close()
    expect(() => db.healthCheck()).toThrow(DatabaseUnavailableError)
  })
})

describe('migrations', () => {
  test('are numbered 1, 2, 3 ... with unique names', () => {
    expect(MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length)
  })

  test('apply once: a second run applies nothing', () => {
    const db = Db.open(freshPath())
    expect(migrate(db).map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id))
    expect(migrate(db)).toEqual([])
    db.prepare('INSERT INTO server_meta (key, value) VALUES (?, ?)').run('k', 'v')
    db.close()
  })

  test('status lists pending migrations, then applied ones with their time', () => {
    expect(migrationStatus(undefined).every((s) => s.state === 'pending' && s.appliedAt === null)).toBe(true)
    const db = Db.open(freshPath())
    expect(migrationStatus(db).map((s) => s.state)).toEqual(MIGRATIONS.map(() => 'pending'))
    migrate(db)
    const status = migrationStatus(db)
    expect(status.map((s) => [s.id, s.name, s.state])).toEqual(
      MIGRATIONS.map((m) => [m.id, m.name, 'applied']),
    )
    for (const s of status) expect(Number.isNaN(Date.parse(s.appliedAt ?? ''))).toBe(false)
    db.close()
  })

  test('roll back a migration that fails, leaving it pending', () => {
    const db = Db.open(freshPath())
    const failing: Migration = {
      id: 2,
      name: 'fails',
      up(d) {
        d.exec('CREATE TABLE half_done (x TEXT)')
        throw new Error('migration bug')
      },
    }
    expect(() => migrate(db, [...MIGRATIONS.slice(0, 1), failing])).toThrow('migration bug')
    expect(migrationStatus(db, [...MIGRATIONS.slice(0, 1), failing]).map((s) => s.state)).toEqual([
      'applied',
      'pending',
    ])
    const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()
    expect(table).toBeNull()
    db.close()
  })

  test('refuse a database migrated by a newer perlsky', () => {
    const path = freshPath()
    const newer: Migration = { id: 99, name: 'from-the-future', up: () => {} }
    const db = Db.open(path)
    migrate(db, [...MIGRATIONS, newer])
    expect(() => migrate(db)).toThrow(MigrationError)
    expect(migrationStatus(db).at(-1)).toMatchObject({ id: 99, name: 'from-the-future', state: 'unknown' })
    db.close()
  })

  test('refuse a list whose ids do not increase', () => {
    const db = Db.open(freshPath())
    const bad: Migration[] = [
      { id: 2, name: 'b', up: () => {} },
      { id: 1, name: 'a', up: () => {} },
    ]
    expect(() => migrate(db, bad)).toThrow(MigrationError)
    db.close()
  })
})

describe('two handles on one file', () => {
  test('both migrate and write; each sees the other’s committed rows', () => {
    const path = freshPath()
    const server = Db.open(path)
    const admin = Db.open(path)
    migrate(server)
    expect(migrate(admin)).toEqual([])
    const write = (db: Db, key: string) =>
      db.transaction(() => db.prepare('INSERT INTO server_meta (key, value) VALUES (?, ?)').run(key, 'x'))
    for (let i = 0; i < 20; i++) {
      write(server, `server-${i}`)
      write(admin, `admin-${i}`)
    }
    const count = (db: Db) => db.prepare<{ n: number }, []>('SELECT count(*) AS n FROM server_meta').get()?.n
    expect(count(server)).toBe(40)
    expect(count(admin)).toBe(40)
    server.close()
    admin.close()
  })

  test('a reader keeps reading while the other handle holds an open write transaction', () => {
    const path = freshPath()
    const writer = Db.open(path)
    const reader = Db.open(path)
    migrate(writer)
    const seen = writer.transaction(() => {
      writer.prepare('INSERT INTO server_meta (key, value) VALUES (?, ?)').run('pending', 'x')
      // WAL: the reader does not block and does not see the uncommitted row.
      return reader.prepare<{ n: number }, []>('SELECT count(*) AS n FROM server_meta').get()?.n
    })
    expect(seen).toBe(0)
    writer.close()
    reader.close()
  })
})
