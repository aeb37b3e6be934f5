/**
 * The OAuth tables for a process that is not the server (an admin command): the server's
 * database, migrated first so the command also works before the server ever started.
 */
import { Db } from '../database.ts'
import { migrate } from '../migrate.ts'
import { OAuthTables } from './index.ts'

/** Runs `body` with the OAuth tables of `dbPath`, closing the database afterwards. */
export async function withOAuthTables<T>(
  dbPath: string,
  body: (tables: OAuthTables) => Promise<T>,
): Promise<T> {
  const db = Db.open(dbPath)
  try {
    migrate(db)
    return await body(new OAuthTables(db))
  } finally {
    db.close()
  }
}
