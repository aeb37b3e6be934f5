/**
 * The apps an account has authorized, for the account page: one entry per client with live
 * OAuth sessions, and revocation of all of a client's sessions (and of its remembered consent,
 * so the next sign-in asks again).
 */
import type { OAuthTables } from '../../storage/oauth/index.ts'

export interface AuthorizedApp {
  clientId: string
  /** The scope granted by the newest session. */
  scope: string
  sessions: number
  createdAt: string
  lastUsedAt: string
}

export class AccountApps {
  constructor(
    private readonly tables: OAuthTables,
    private readonly now: () => number = Date.now,
  ) {}

  list(did: string): AuthorizedApp[] {
    const apps = new Map<string, AuthorizedApp>()
    for (const row of this.tables.tokens.listForAccount(did, new Date(this.now()).toISOString())) {
      const app = apps.get(row.clientId)
      if (app === undefined) {
        apps.set(row.clientId, {
          clientId: row.clientId,
          scope: row.scope,
          sessions: 1,
          createdAt: row.createdAt,
          lastUsedAt: row.updatedAt,
        })
        continue
      }
      app.sessions++
      if (row.createdAt < app.createdAt) app.createdAt = row.createdAt
    }
    return [...apps.values()]
  }

  /** Ends every session of the client for this account; returns how many there were. */
  revoke(did: string, clientId: string): number {
    return this.tables.db.transaction(() => {
      this.tables.authorizedClients.delete(did, clientId)
      return this.tables.tokens.deleteForClient(did, clientId)
    })
  }
}
