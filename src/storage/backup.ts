/**
 * Backups of a perlsky data set (docs/OPERATIONS.md, "Backup and restore"): the database and the
 * blob folder, copied while the server runs, and their restore into a stopped server's paths.
 *
 * A backup directory holds `perlsky.sqlite` (a `VACUUM INTO` copy: one consistent snapshot taken
 * in a read transaction, so writers carry on), `blobs/` (the blob tree, copied after the
 * snapshot) and `manifest.json`, written last: a directory without it is an unfinished backup.
 * Blob files never change once written and a blob a record references is linked before the
 * record commits, so every blob the snapshot references is on disk when the tree is copied. The
 * only files that can vanish meanwhile belong to blobs unreferenced for the sweep's grace period
 * (an hour), which the restored server would delete anyway.
 *
 * Restore refuses to replace an existing database or blob folder unless forced, and refuses a
 * database another process holds open (a running server): leaving WAL mode needs every other
 * connection closed, so `PRAGMA journal_mode = DELETE` without a busy timeout answers "in use".
 */
import { Database } from 'bun:sqlite'
import {
  chmodSync,
  type Dirent,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { copyFile, mkdir, readdir, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { BLOB_DIR } from './blob-store/index.ts'
import { Db } from './database.ts'
import { migrationStatus } from './migrate.ts'

export const BACKUP_MANIFEST_FILE = 'manifest.json'
export const BACKUP_DB_FILE = 'perlsky.sqlite'
const FORMAT = 'perlsky-backup'
const FORMAT_VERSION = 1

export interface BackupManifest {
  readonly format: typeof FORMAT
  readonly formatVersion: number
  /** The perlsky that wrote the backup. */
  readonly perlskyVersion: string
  readonly createdAt: string
  /** The newest migration applied to the copied database. */
  readonly schemaVersion: number
  readonly databaseBytes: number
  readonly blobFiles: number
  readonly blobBytes: number
}

/** A backup or restore that cannot go ahead; the message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError'
}

/** The database is open in another process (a running server). */
export class DatabaseInUseError extends BackupError {
  override name = 'DatabaseInUseError'
}

export interface CreateBackupOptions {
  /** The live database (another process may be writing to it). */
  readonly db: Db
  readonly dataDir: string
  /** The backup directory: created, or an existing empty one. */
  readonly dest: string
  readonly perlskyVersion: string
  readonly now?: Date
}

/** Writes a backup of the database and the blob folder to `dest` and returns its manifest. */
export async function createBackup(opts: CreateBackupOptions): Promise<BackupManifest> {
  const { dest } = opts
  if (existsSync(dest) && readdirSync(dest).length > 0) {
    throw new BackupError(`${dest} is not empty: back up into a new directory`)
  }
  await mkdir(dest, { recursive: true, mode: 0o700 })
  const dbCopy = join(dest, BACKUP_DB_FILE)
  opts.db.raw.query('VACUUM INTO ?').run(dbCopy)
  chmodSync(dbCopy, 0o600)
  const blobs = await copyTree(join(opts.dataDir, BLOB_DIR), join(dest, BLOB_DIR))
  const manifest: BackupManifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    perlskyVersion: opts.perlskyVersion,
    createdAt: (opts.now ?? new Date()).toISOString(),
    schemaVersion: schemaVersionOf(dbCopy),
    databaseBytes: statSync(dbCopy).size,
    blobFiles: blobs.files,
    blobBytes: blobs.bytes,
  }
  const manifestPath = join(dest, BACKUP_MANIFEST_FILE)
  await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  await rename(`${manifestPath}.tmp`, manifestPath)
  return manifest
}

/** Reads and checks a backup directory's manifest; throws BackupError. */
export function readBackupManifest(dir: string): BackupManifest {
  const path = join(dir, BACKUP_MANIFEST_FILE)
  let manifest: Partial<BackupManifest>
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'not valid JSON'
    throw new BackupError(`${path} cannot be read (${reason}): not a finished perlsky backup`)
  }
  if (manifest.format !== FORMAT || typeof manifest.formatVersion !== 'number') {
    throw new BackupError(`${path} is not a perlsky backup manifest`)
  }
  if (manifest.formatVersion > FORMAT_VERSION) {
    throw new BackupError(`${dir} was written by a newer perlsky (${manifest.perlskyVersion}): upgrade first`)
  }
  if (!existsSync(join(dir, BACKUP_DB_FILE))) throw new BackupError(`${dir} has no ${BACKUP_DB_FILE}`)
  return manifest as BackupManifest
}

export interface RestoreBackupOptions {
  /** The backup directory. */
  readonly source: string
  /** Where the database goes (the config's db_path). */
  readonly dbPath: string
  readonly dataDir: string
  /** Replace an existing database and blob folder. */
  readonly force: boolean
}

/**
 * Restores a backup into the configured paths. The database is copied under a temporary name,
 * checked (integrity, and no migration this binary does not know), and renamed into place last,
 * so an interrupted restore never leaves a half-written database at `dbPath`.
 */
export async function restoreBackup(opts: RestoreBackupOptions): Promise<BackupManifest> {
  const manifest = readBackupManifest(opts.source)
  const blobDir = join(opts.dataDir, BLOB_DIR)
  checkRestoreTarget(opts.dbPath, blobDir, opts.force)
  await mkdir(dirname(opts.dbPath), { recursive: true, mode: 0o700 })
  const staged = `${opts.dbPath}.restoring`
  removeDatabaseFiles(staged)
  await copyFile(join(opts.source, BACKUP_DB_FILE), staged)
  chmodSync(staged, 0o600)
  try {
    checkRestoredDatabase(staged)
    rmSync(blobDir, { recursive: true, force: true })
    await copyTree(join(opts.source, BLOB_DIR), blobDir)
    // A WAL left by the replaced database must not be replayed into the restored one.
    removeDatabaseFiles(opts.dbPath, ['-wal', '-shm'])
    renameSync(staged, opts.dbPath)
  } finally {
    removeDatabaseFiles(staged)
  }
  return manifest
}

/** Throws DatabaseInUseError when another process has the database open. */
export function assertDatabaseNotInUse(dbPath: string): void {
  const raw = new Database(dbPath)
  try {
    raw.run('PRAGMA busy_timeout = 0')
    raw.query('PRAGMA journal_mode = DELETE').get()
  } catch (err) {
    throw new DatabaseInUseError(
      `the database ${dbPath} is open in another process (${(err as Error).message}): stop the server first`,
    )
  } finally {
    raw.close()
  }
}

/** Removes a database file and its WAL and shared-memory files (or only those), if present. */
function removeDatabaseFiles(path: string, suffixes = ['', '-wal', '-shm']): void {
  for (const suffix of suffixes) rmSync(`${path}${suffix}`, { force: true })
}

function checkRestoreTarget(dbPath: string, blobDir: string, force: boolean): void {
  const hasDb = existsSync(dbPath)
  const hasBlobs = existsSync(blobDir) && readdirSync(blobDir).length > 0
  if (!force && (hasDb || hasBlobs)) {
    const what = hasDb ? `the database ${dbPath}` : `the blob folder ${blobDir}`
    throw new BackupError(
      `${what} exists: restore into an empty data directory, or pass --force to replace it`,
    )
  }
  if (hasDb) assertDatabaseNotInUse(dbPath)
}

function checkRestoredDatabase(path: string): void {
  const db = Db.open(path)
  try {
    const [check] = db.raw.query<{ quick_check: string }, []>('PRAGMA quick_check').all()
    if (check?.quick_check !== 'ok') {
      throw new BackupError(`the backup's database is damaged: ${check?.quick_check ?? 'no answer'}`)
    }
    const unknown = migrationStatus(db).filter((m) => m.state === 'unknown')
    if (unknown.length > 0) {
      const ids = unknown.map((m) => m.id).join(', ')
      throw new BackupError(`the backup has migrations this perlsky does not know (${ids}): upgrade first`)
    }
  } finally {
    db.close()
  }
}

function schemaVersionOf(path: string): number {
  const raw = new Database(path, { readonly: true })
  try {
    return raw.query<{ id: number | null }, []>('SELECT max(id) AS id FROM schema_migrations').get()?.id ?? 0
  } finally {
    raw.close()
  }
}

/**
 * Copies a directory tree (files 0600, folders 0700); a file deleted while the copy runs is
 * skipped. A missing source is an empty tree.
 */
async function copyTree(from: string, to: string): Promise<{ files: number; bytes: number }> {
  const total = { files: 0, bytes: 0 }
  let entries: Dirent[]
  try {
    entries = await readdir(from, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return total
    throw err
  }
  await mkdir(to, { recursive: true, mode: 0o700 })
  for (const entry of entries) {
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.isDirectory()) {
      const sub = await copyTree(source, target)
      total.files += sub.files
      total.bytes += sub.bytes
    } else if (entry.isFile() && (await copyBlobFile(source, target))) {
      total.files += 1
      total.bytes += statSync(target).size
    }
  }
  return total
}

async function copyBlobFile(source: string, target: string): Promise<boolean> {
  try {
    await copyFile(source, target)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
  chmodSync(target, 0o600)
  return true
}
