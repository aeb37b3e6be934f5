/**
 * The moderation tables for a process that is not the server (an admin command): the server's
 * database, migrated first, closed afterwards. WAL and busy_timeout let the server run meanwhile.
 */
import { Db } from '../database.ts'
import { migrate } from '../migrate.ts'
import { ModerationTables } from './index.ts'

export async function withModerationTables<T>(
  dbPath: string,
  body: (tables: ModerationTables) => Promise<T> | T,
): Promise<T> {
  const db = Db.open(dbPath)
  try {
    migrate(db)
    return await body(new ModerationTables(db))
  } finally {
    db.close()
  }
}
