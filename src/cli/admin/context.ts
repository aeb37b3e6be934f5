/**
 * What the admin commands share: the services of the configured database, built by the same
 * `createContext` as the server's (so a command has exactly the server's effects, and the events
 * it sequences reach the server's firehose through its poll), and account lookup by DID or handle.
 */
import type { Config } from '../../config/schema.ts'
import { createLogger } from '../../lib/logger.ts'
import { type AppContext, createContext } from '../../services/context.ts'
import type { AccountRow } from '../../storage/accounts/index.ts'
import type { CliIo } from '../io.ts'

/** A command's failure that needs no usage text (exit 1). */
export class AdminCommandError extends Error {
  override name = 'AdminCommandError'
}

/** Runs `body` with the services of the configured database, closing them afterwards. */
export async function withContext<T>(
  config: Config,
  io: CliIo,
  body: (ctx: AppContext) => Promise<T> | T,
): Promise<T> {
  // Warnings and errors only, on stderr: stdout carries the command's output.
  const logger = createLogger({ level: 'warn', format: 'pretty', sink: (line) => io.stderr(line) })
  const ctx = createContext(config, { logger })
  try {
    return await body(ctx)
  } finally {
    await ctx.close()
  }
}

/** The account with this DID or handle; AdminCommandError when there is none. */
export function findAccount(ctx: AppContext, didOrHandle: string): AccountRow {
  const account = ctx.accounts.getAccount(didOrHandle)
  if (account === undefined) throw new AdminCommandError(`no account ${didOrHandle} on this server`)
  return account
}

/** Pretty JSON on stdout, for `--json`. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`)
}
