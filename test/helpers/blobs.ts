/** Blob bytes for upload tests. */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** The PNG file signature followed by `body`: sniffed as image/png, unique per body. */
export function pngBytes(body: Iterable<number>): Uint8Array<ArrayBuffer> {
  return Uint8Array.from([...PNG_SIGNATURE, ...body])
}
