export { type BlobStore, type ByteRange, type TempBlob, TempBlobMissingError } from './blob-store.ts'
export { DiskBlobStore } from './disk.ts'
