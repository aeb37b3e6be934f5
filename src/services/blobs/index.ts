export { BlobService, type PreparedBlobs, type StoredBlob } from './service.ts'
export { SNIFF_BYTES, sniffMimeType } from './sniff.ts'
export {
  BlobSweeper,
  type BlobSweepOptions,
  DEFAULT_SWEEP_INTERVAL_MS,
  DEFAULT_TEMP_GRACE_MS,
  DEFAULT_UNREFERENCED_GRACE_MS,
  type SweepResult,
} from './sweep.ts'
