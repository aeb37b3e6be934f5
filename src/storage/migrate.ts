/**
 * Applies the static migration list. Each migration runs in its own BEGIN IMMEDIATE transaction
 * together with its schema_migrations row, and re-checks inside the transaction whether it is
 * still pending, so a server and an admin command migrating at the same moment cannot apply one
 * twice. A database that has migrations this binary does not know (written by a newer perlsky)
 * is refused rather than used with a schema the code does not expect.
 */
import type { Db } from './database.ts'
import { MIGRATIONS } from './migrations/index.ts'
import type { Migration } from './migrations/migration.ts'

export class MigrationError extends Error {
  override name = 'MigrationError'
}

export interface MigrationState {
  id: number
  name: string
  state: 'applied' | 'pending' | 'unknown'
  /** ISO time of application; null while pending. */
  appliedAt: string | null
}

interface AppliedRow {
  id: number
  name: string
  applied_at: string
}

/** Applies every pending migration in order and returns the ones it applied. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  checkOrder(migrations)
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      id INTEGER PRIMARY KEY NOT NULL,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT
  `)
  const rows = readApplied(db)
  const unknown = unknownApplied(rows, migrations)
  if (unknown.length > 0) {
    const list = unknown.map((row) => `${row.id} ${row.name}`).join(', ')
    throw new MigrationError(`database ${db.path} has migrations this perlsky does not know (${list})`)
  }
  const isApplied = db.prepare<{ id: number }, [number]>('SELECT id FROM schema_migrations WHERE id = ?')
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)')
  const applied: Migration[] = []
  // Already applied ones are skipped without a write transaction: a start with nothing to do
  // takes no write lock and does not start the WAL checkpoint worker (database.ts).
  const done = new Set(rows.map((row) => row.id))
  for (const migration of migrations) {
    if (done.has(migration.id)) continue
    const ran = db.transaction(() => {
      if (isApplied.get(migration.id) !== null) return false
      migration.up(db)
      record.run(migration.id, migration.name, new Date().toISOString())
      return true
    })
    if (ran) applied.push(migration)
  }
  return applied
}

/**
 * Every known migration with its state, then any applied ones this binary does not know. Without
 * a database (not created yet) everything is pending.
 */
export function migrationStatus(
  db: Db | undefined,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationState[] {
  const rows = db === undefined ? [] : readApplied(db)
  const byId = new Map(rows.map((row) => [row.id, row]))
  const known: MigrationState[] = migrations.map((m) => {
    const row = byId.get(m.id)
    return { id: m.id, name: m.name, state: row ? 'applied' : 'pending', appliedAt: row?.applied_at ?? null }
  })
  const extra: MigrationState[] = unknownApplied(rows, migrations).map((row) => ({
    id: row.id,
    name: row.name,
    state: 'unknown',
    appliedAt: row.applied_at,
  }))
  return [...known, ...extra]
}

function readApplied(db: Db): AppliedRow[] {
  const table = db
    .prepare<{ name: string }, []>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
    )
    .get()
  if (table === null) return []
  return db.prepare<AppliedRow, []>('SELECT id, name, applied_at FROM schema_migrations ORDER BY id').all()
}

/** Applied rows whose (id, name) is not in the list: written by another version of perlsky. */
function unknownApplied(rows: AppliedRow[], migrations: readonly Migration[]): AppliedRow[] {
  const known = new Map(migrations.map((m) => [m.id, m.name]))
  return rows.filter((row) => known.get(row.id) !== row.name)
}

function checkOrder(migrations: readonly Migration[]): void {
  let previous = 0
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.id) || m.id <= previous) {
      throw new MigrationError(`migration ids must increase from 1: ${m.id} ${m.name} follows ${previous}`)
    }
    previous = m.id
  }
}
