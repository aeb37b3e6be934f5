/**
 * The storage errors of the account tables. SQLite reports a broken UNIQUE or PRIMARY KEY
 * constraint as `SQLITE_CONSTRAINT_*` with the column in the message ("UNIQUE constraint failed:
 * account.handle"); services turn that into the right XRPC error without parsing SQL messages.
 */

export class UniqueViolationError extends Error {
  override name = 'UniqueViolationError'

  /** `table.column` of the first column named by SQLite, e.g. "account.handle". */
  constructor(
    readonly column: string,
    options?: ErrorOptions,
  ) {
    super(`unique constraint failed: ${column}`, options)
  }
}

/** Runs a write and turns a UNIQUE / PRIMARY KEY violation into UniqueViolationError. */
export function mapUniqueViolation<T>(write: () => T): T {
  try {
    return write()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      const match = /constraint failed: ([\w.]+)/.exec((err as Error).message)
      throw new UniqueViolationError(match?.[1] ?? 'unknown', { cause: err })
    }
    throw err
  }
}
