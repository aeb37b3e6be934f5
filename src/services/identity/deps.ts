/**
 * What the identity operations (resolution with local accounts first, handle updates, PLC
 * operations, per-handle hosts) need, in one object built by IdentityService. The account service
 * and the sequencer are built after identity (they use its resolvers), so they are reached through
 * getters resolved at call time, as the account service reaches the repo.
 */
import type { Config } from '../../config/schema.ts'
import type { Keypair } from '../../core/crypto/keypair.ts'
import type { PlcDidDocument } from '../../core/plc/index.ts'
import type { Logger } from '../../lib/logger.ts'
import type { AccountTables } from '../../storage/accounts/index.ts'
import type { Db } from '../../storage/database.ts'
import type { IdentityServices } from './services.ts'

/** The account calls identity makes; AccountService provides them. */
export interface IdentityAccounts {
  readonly tables: AccountTables
  /** The account's repo signing key. */
  signingKey(did: string): Keypair
  /** The document of our did:web account with this id (`did:web:<host>:users:<id>`). */
  didWebDocument(id: string): PlcDidDocument | undefined
  /** Mails a com.atproto.identity.requestPlcOperationSignature code. */
  requestPlcOperationToken(did: string): Promise<void>
  /** Checks and spends that code; throws InvalidToken / ExpiredToken. */
  spendPlcOperationToken(did: string, token: string): void
}

/** The event call identity changes make inside their transaction. */
export interface IdentityEvents {
  sequenceIdentityInTx(did: string, handle?: string): unknown
}

export interface IdentityDeps {
  db: Db
  config: Config
  logger: Logger
  net: IdentityServices
  /** The server's PLC rotation key (plc_rotation_private_key_hex), when configured. */
  rotationKey: Keypair | undefined
  accounts(): IdentityAccounts
  events(): IdentityEvents
}
