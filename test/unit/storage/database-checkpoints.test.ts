import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Db } from '../../../src/storage/database.ts'
import { WalCheckpointer } from '../../../src/storage/wal-checkpointer.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-db-checkpoints-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let counter = 0
function freshDb(): Db {
  counter += 1
  const db = Db.open(join(dir, `case-${counter}.sqlite`))
  db.exec('CREATE TABLE item (id INTEGER PRIMARY KEY, body BLOB NOT NULL)')
  return db
}

function insert(db: Db, body: Uint8Array): void {
  db.prepare('INSERT INTO item (body) VALUES (?)').run(body)
}

/** Polls `done` on the event loop until it holds; the test's own timeout bounds the wait. */
async function eventually(done: () => boolean): Promise<void> {
  while (!done()) await Bun.sleep(5)
}

describe('Db.onCommit', () => {
  test('runs callbacks after the commit, in order, and never for a rolled-back transaction', () => {
    const db = freshDb()
    const heard: string[] = []
    db.transaction(() => {
      insert(db, new Uint8Array(1))
      db.onCommit(() => heard.push('first'))
      db.onCommit(() => heard.push('second'))
      expect(heard).toEqual([])
    })
    expect(heard).toEqual(['first', 'second'])
    expect(() =>
      db.transaction(() => {
        db.onCommit(() => heard.push('rolled back'))
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(heard).toEqual(['first', 'second'])
    db.close()
  })

  test('drops the callbacks of a savepoint that rolls back and keeps the others', () => {
    const db = freshDb()
    const heard: string[] = []
    db.transaction(() => {
      db.onCommit(() => heard.push('outer'))
      expect(() =>
        db.transaction(() => {
          db.onCommit(() => heard.push('inner'))
          throw new Error('inner failure')
        }),
      ).toThrow('inner failure')
      db.transaction(() => db.onCommit(() => heard.push('inner kept')))
    })
    expect(heard).toEqual(['outer', 'inner kept'])
    db.close()
  })

  test('registers nothing outside a transaction or in one Db.transaction did not open', () => {
    const db = freshDb()
    const heard: string[] = []
    expect(db.onCommit(() => heard.push('none'))).toBe(false)
    db.raw.transaction(() => expect(db.onCommit(() => heard.push('raw'))).toBe(false)).immediate()
    expect(heard).toEqual([])
    db.close()
  })
})

describe('background checkpoints', () => {
  test('copy committed pages into the database file without any further write', async () => {
    const db = freshDb()
    const before = statSync(db.path).size
    // In WAL mode a commit only appends to the WAL; the file grows when a checkpoint copies.
    db.transaction(() => {
      for (let i = 0; i < 64; i++) insert(db, new Uint8Array(4096).fill(i))
    })
    await eventually(() => statSync(db.path).size > before + 64 * 4096)
    db.close()
  })

  test('stop with the connection, so the last close removes the WAL', () => {
    const db = freshDb()
    db.transaction(() => insert(db, new Uint8Array(10)))
    expect(existsSync(`${db.path}-wal`)).toBe(true)
    db.close()
    expect(existsSync(`${db.path}-wal`)).toBe(false)
    db.close()
  })

  test('a worker that cannot open the database reports it and stops', async () => {
    const failures: string[] = []
    const checkpointer = new WalCheckpointer(join(dir, 'missing', 'none.sqlite'), {
      pauseMs: 0,
      onFailure: (message) => failures.push(message),
    })
    await eventually(() => failures.length > 0)
    expect(failures[0]).toContain('unable to open')
    checkpointer.stop(1000)
  })
})
