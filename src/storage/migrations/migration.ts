import type { Db } from '../database.ts'

/**
 * One schema change. `up` runs inside the migrator's transaction and must be synchronous. Applied
 * migrations are never edited: a later change is a new migration with the next id.
 */
export interface Migration {
  readonly id: number
  readonly name: string
  up(db: Db): void
}
