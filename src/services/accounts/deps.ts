/**
 * What the account flows need, in one object built by AccountService. The repo and the event
 * sequencer are built after the account service (they need its key lookup), so they are reached
 * through getters resolved at call time; identity (PLC directory, DID resolution, service auth)
 * is whatever the identity services provide, described here by the few calls the flows make.
 */
import type { Config } from '../../config/schema.ts'
import type { Keypair } from '../../core/crypto/keypair.ts'
import type { PlcOperation } from '../../core/plc/types.ts'
import type { Logger } from '../../lib/logger.ts'
import type { AccountTables } from '../../storage/accounts/index.ts'
import type { Db } from '../../storage/database.ts'
import type { LoginLimiter } from '../auth/login-limiter.ts'
import type { SessionService } from '../auth/sessions.ts'
import type { EmailTokens } from '../email/email-tokens.ts'
import type { Mailer } from '../email/mailer.ts'
import type { InviteService } from '../invites/invites.ts'
import type { AccountKeys } from './keys.ts'

/** The repo calls account creation and deletion make inside their transaction. */
export interface RepoPort {
  /** `sequence: false` for a migrating (deactivated) account, which is not announced yet. */
  createRepoInTx(did: string, keypair: Keypair, opts?: { sequence?: boolean }): unknown
  deleteRepoInTx(did: string): void
  /** Announces the repo's current commit with a `#sync` event (on reactivation). */
  sequenceSyncInTx(did: string): unknown
  /** What checkAccountStatus reports about the repo. */
  accountRepoStats(did: string): RepoStats
}

export interface RepoStats {
  /** CID string of the current commit, and its rev. */
  commit: string
  rev: string
  blocks: number
  records: number
  /** Blobs referenced by records, and how many of those are stored. */
  expectedBlobs: number
  importedBlobs: number
}

/** The event calls account changes make inside their transaction. */
export interface EventPort {
  sequenceIdentityInTx(did: string, handle?: string): void
  sequenceAccountInTx(did: string, active: boolean, status?: string): void
  /** Removes the account's earlier events (before its final `#account` deleted event). */
  deleteEventsInTx(did: string): void
}

/** The network side of identities. */
export interface IdentityPort {
  /** Posts a signed operation to the PLC directory; throws when the directory refuses it. */
  submitPlcOperation(did: string, op: PlcOperation): Promise<void>
  /** The DID document as published, or undefined when the DID has none. */
  resolveDidDocument(did: string): Promise<object | undefined>
  /** The `#atproto` signing key (did:key) and PDS endpoint a DID document names. */
  resolveAtprotoData(did: string): Promise<{ signingKey: string; pds?: string | undefined } | undefined>
  /** The DID a handle resolves to (DNS / well-known), or undefined. */
  resolveHandle(handle: string): Promise<string | undefined>
  /** Verifies a service-auth JWT for `lxm` addressed to `aud`; throws 401 BadJwt* errors. */
  verifyServiceJwt(token: string, aud: string, lxm: string): Promise<{ did: string }>
  /** Signs an inter-service JWT with the account key (`exp` in seconds since the epoch). */
  createServiceJwt(opts: {
    iss: string
    aud: string
    lxm: string | null
    exp: number
    keypair: Keypair
  }): string
}

export interface AccountDeps {
  db: Db
  config: Config
  logger: Logger
  tables: AccountTables
  keys: AccountKeys
  sessions: SessionService
  emailTokens: EmailTokens
  mailer: Mailer
  invites: InviteService
  limiter: LoginLimiter
  serviceDid: string
  /** The server's PLC rotation key (plc_rotation_private_key_hex), when configured. */
  plcRotationKey: Keypair | undefined
  identity: IdentityPort
  repo(): RepoPort
  events(): EventPort
  now(): number
}
