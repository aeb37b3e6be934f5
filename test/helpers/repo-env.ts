/**
 * A repository stack without HTTP for service-level tests: a temp-dir database with every
 * migration, the repo services built exactly as the context builds them, and a small in-memory
 * stand-in for the accounts service (accounts with keys, deactivation and takedown flags).
 *
 *   const env = openRepoEnv()
 *   afterAll(() => env.close())
 *   const alice = env.createAccount('alice.test')
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Secp256k1Keypair } from '../../src/core/crypto/keypair.ts'
import { type Lexicons, loadBuiltinLexicons } from '../../src/core/lexicon/index.ts'
import { TidClock } from '../../src/core/tid-clock.ts'
import { silentLogger } from '../../src/lib/logger.ts'
import type { BlobSweepOptions } from '../../src/services/blobs/index.ts'
import {
  buildRepoServices,
  type RepoAccount,
  type RepoAccounts,
  type RepoServices,
} from '../../src/services/repo/index.ts'
import { Db } from '../../src/storage/database.ts'
import { migrate } from '../../src/storage/migrate.ts'

export interface TestAccount {
  did: string
  handle: string
  keypair: Secp256k1Keypair
  deactivatedAt: string | null
  takedownRef: string | null
}

export class FakeAccounts implements RepoAccounts {
  readonly byDid = new Map<string, TestAccount>()

  getAccount(didOrHandle: string): RepoAccount | undefined {
    if (didOrHandle.startsWith('did:')) return this.byDid.get(didOrHandle)
    return [...this.byDid.values()].find((account) => account.handle === didOrHandle.toLowerCase())
  }

  signingKey(did: string): Secp256k1Keypair {
    const account = this.byDid.get(did)
    if (!account) throw new Error(`no account ${did}`)
    return account.keypair
  }
}

export interface RepoEnv extends RepoServices {
  dir: string
  db: Db
  accounts: FakeAccounts
  lexicons: Lexicons
  /** Adds an account and creates its repo (first commit) in one transaction. */
  createAccount(handle?: string, opts?: { did?: string; keypair?: Secp256k1Keypair }): TestAccount
  /** Knows an account whose repo already exists in the database (another process created it). */
  adoptAccount(account: Pick<TestAccount, 'did' | 'handle' | 'keypair'>): TestAccount
  close(): void
}

let lexicons: Lexicons | undefined
let counter = 0

export function openRepoEnv(opts: { dir?: string; blobSweep?: BlobSweepOptions } = {}): RepoEnv {
  lexicons ??= loadBuiltinLexicons()
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'perlsky-repo-'))
  const db = Db.open(join(dir, 'perlsky.sqlite'))
  migrate(db)
  const accounts = new FakeAccounts()
  const services = buildRepoServices({
    db,
    dataDir: dir,
    logger: silentLogger(),
    lexicons,
    tid: new TidClock(),
    accounts,
    resolveDidDoc: async (did) => {
      const account = accounts.byDid.get(did)
      if (!account) throw new Error(`unknown DID ${did}`)
      return { id: did, alsoKnownAs: [`at://${account.handle}`] }
    },
    blobSweep: opts.blobSweep,
  })
  return {
    ...services,
    dir,
    db,
    accounts,
    lexicons,
    createAccount(handle = `user${++counter}.test`, acct = {}) {
      const did = acct.did ?? `did:plc:${randomPlcId()}`
      const account: TestAccount = {
        did,
        handle,
        keypair: acct.keypair ?? Secp256k1Keypair.create(),
        deactivatedAt: null,
        takedownRef: null,
      }
      accounts.byDid.set(did, account)
      db.transaction(() => services.repo.createRepoInTx(did, account.keypair))
      return account
    },
    adoptAccount({ did, handle, keypair }) {
      const account: TestAccount = { did, handle, keypair, deactivatedAt: null, takedownRef: null }
      accounts.byDid.set(did, account)
      return account
    },
    close() {
      services.sequencer.close()
      services.blobs.sweeper.stop()
      db.close()
      if (!opts.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

function randomPlcId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => alphabet[b % 32]).join('')
}

/** Collects the repository export into one buffer. */
export async function exportCar(env: RepoServices, did: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of env.repo.exportRepoCar(did)) chunks.push(chunk)
  return Buffer.concat(chunks)
}
