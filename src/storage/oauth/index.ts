/** The OAuth tables' statement bundles, built once over one Db. */
import type { Db } from '../database.ts'
import { AuthorizedClientStore } from './authorized-client-store.ts'
import { DeviceSessionStore } from './device-session-store.ts'
import { ReplayStore } from './replay-store.ts'
import { RequestStore } from './request-store.ts'
import { SigningKeyStore } from './signing-key-store.ts'
import { TokenStore } from './token-store.ts'

export type { DeviceSessionRow } from './device-session-store.ts'
export type { RequestRow } from './request-store.ts'
export type { SigningKeyRow } from './signing-key-store.ts'
export type { LiveToken, TokenRow } from './token-store.ts'
export { AuthorizedClientStore, DeviceSessionStore, ReplayStore, RequestStore, SigningKeyStore, TokenStore }

export class OAuthTables {
  readonly signingKeys: SigningKeyStore
  readonly requests: RequestStore
  readonly tokens: TokenStore
  readonly replay: ReplayStore
  readonly deviceSessions: DeviceSessionStore
  readonly authorizedClients: AuthorizedClientStore

  constructor(readonly db: Db) {
    this.signingKeys = new SigningKeyStore(db)
    this.requests = new RequestStore(db)
    this.tokens = new TokenStore(db)
    this.replay = new ReplayStore(db)
    this.deviceSessions = new DeviceSessionStore(db)
    this.authorizedClients = new AuthorizedClientStore(db)
  }
}
