/**
 * The account tables for a process that is not the server (an admin command): the server's
 * database, migrated first so the command also works before the server ever started. The
 * server may be running meanwhile: WAL and busy_timeout let both write.
 */
import { Db } from '../database.ts'
import { migrate } from '../migrate.ts'
import { AccountTables } from './index.ts'

/** Runs `body` with the account tables of `dbPath`, closing the database afterwards. */
export async function withAccountTables<T>(
  dbPath: string,
  body: (tables: AccountTables) => Promise<T>,
): Promise<T> {
  const db = Db.open(dbPath)
  try {
    migrate(db)
    return await body(new AccountTables(db))
  } finally {
    db.close()
  }
}
