export { type BlobStore, type ByteRange, type TempBlob, TempBlobMissingError } from './blob-store.ts'
export { DiskBlobStore } from './disk.ts'

/** The blob folder under the data directory (and in a backup). */
export const BLOB_DIR = 'blobs'
