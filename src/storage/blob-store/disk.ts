/**
 * The disk BlobStore: `<dir>/tmp/<key>` for uploads, `<dir>/<url-encoded did>/<cid>` for
 * permanent blobs. Uploads are written with O_EXCL under a random key and fsynced before the
 * caller records them. A blob is made permanent with a hard link (atomic: the permanent name
 * either does not exist or holds the whole file), and the directory is fsynced so the new name
 * survives a crash. Blobs are content-addressed, so an existing permanent name already holds the
 * same bytes.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { CID } from '../../core/cid.ts'
import { type BlobStore, type ByteRange, type TempBlob, TempBlobMissingError } from './blob-store.ts'

const TEMP_KEY = /^[0-9a-f]{32}$/

export class DiskBlobStore implements BlobStore {
  private readonly tempDir: string

  constructor(private readonly dir: string) {
    this.tempDir = join(dir, 'tmp')
  }

  async putTemp(stream: ReadableStream<Uint8Array>): Promise<TempBlob> {
    await mkdir(this.tempDir, { recursive: true, mode: 0o700 })
    const key = randomBytes(16).toString('hex')
    const path = join(this.tempDir, key)
    const file = await open(path, 'wx', 0o600)
    const hasher = new Bun.CryptoHasher('sha256')
    let size = 0
    try {
      for await (const chunk of stream) {
        hasher.update(chunk)
        size += chunk.byteLength
        await file.write(chunk)
      }
      await file.sync()
    } catch (err) {
      await file.close()
      await unlinkIfPresent(path)
      throw err
    }
    await file.close()
    return { key, size, sha256: new Uint8Array(hasher.digest()) }
  }

  async makePermanent(did: string, cid: CID, tempKey: string): Promise<void> {
    const dir = this.accountDir(did)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    try {
      await link(this.tempPath(tempKey), join(dir, cid.toString()))
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return
      if (code === 'ENOENT') throw new TempBlobMissingError(`temporary upload ${tempKey} is gone`)
      throw err
    }
    await syncDir(dir)
  }

  async get(did: string, cid: CID, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null> {
    const file = Bun.file(this.permanentPath(did, cid))
    if (!(await file.exists())) return null
    return (range ? file.slice(range.start, range.end) : file).stream()
  }

  async delete(did: string, cid: CID): Promise<void> {
    await unlinkIfPresent(this.permanentPath(did, cid))
  }

  async deleteTemp(key: string): Promise<void> {
    await unlinkIfPresent(this.tempPath(key))
  }

  async sweepTemp(before: Date): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.tempDir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw err
    }
    let removed = 0
    for (const name of names) {
      if (!TEMP_KEY.test(name)) continue
      const path = join(this.tempDir, name)
      const info = await stat(path).catch(() => null)
      if (info && info.mtime < before && (await unlinkIfPresent(path))) removed++
    }
    return removed
  }

  private tempPath(key: string): string {
    if (!TEMP_KEY.test(key)) throw new Error('invalid temp blob key')
    return join(this.tempDir, key)
  }

  /** URL-encoding keeps every DID a single, reversible path segment (no `/`, never `.` or `..`). */
  private accountDir(did: string): string {
    return join(this.dir, encodeURIComponent(did))
  }

  private permanentPath(did: string, cid: CID): string {
    return join(this.accountDir(did), cid.toString())
  }
}

async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
