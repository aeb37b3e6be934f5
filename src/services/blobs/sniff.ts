/**
 * Content sniffing for uploads: the real MIME type of common image, video and audio formats from
 * their first bytes (magic numbers), so a client cannot label an HTML page `image/png`. Anything
 * not recognised keeps the type the client declared. Only signatures are compared; nothing is
 * parsed (blob spec, "Security Considerations").
 */

/** How many leading bytes `sniffMimeType` needs. */
export const SNIFF_BYTES = 64

interface Signature {
  readonly mime: string
  readonly offset: number
  readonly bytes: readonly number[]
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))

const SIGNATURES: readonly Signature[] = [
  { mime: 'image/jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { mime: 'image/png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/gif', offset: 0, bytes: ascii('GIF87a') },
  { mime: 'image/gif', offset: 0, bytes: ascii('GIF89a') },
  { mime: 'image/tiff', offset: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { mime: 'image/tiff', offset: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { mime: 'image/vnd.microsoft.icon', offset: 0, bytes: [0x00, 0x00, 0x01, 0x00] },
  { mime: 'video/webm', offset: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { mime: 'audio/flac', offset: 0, bytes: ascii('fLaC') },
  { mime: 'audio/ogg', offset: 0, bytes: ascii('OggS') },
  { mime: 'audio/mpeg', offset: 0, bytes: ascii('ID3') },
  { mime: 'application/pdf', offset: 0, bytes: ascii('%PDF-') },
]

/** RIFF containers: the format is the four bytes at offset 8. */
const RIFF_FORMATS: Readonly<Record<string, string>> = {
  WEBP: 'image/webp',
  WAVE: 'audio/wav',
  'AVI ': 'video/x-msvideo',
}

/** ISO base media files (`....ftyp<brand>`): the major brand names the format. */
const FTYP_BRANDS: Readonly<Record<string, string>> = {
  avif: 'image/avif',
  avis: 'image/avif',
  heic: 'image/heic',
  heix: 'image/heic',
  mif1: 'image/heif',
  msf1: 'image/heif',
  qt: 'video/quicktime',
  M4A: 'audio/mp4',
  M4V: 'video/x-m4v',
  '3gp4': 'video/3gpp',
  '3gp5': 'video/3gpp',
  '3g2a': 'video/3gpp2',
}

/** The MIME type the bytes start like, or undefined. */
export function sniffMimeType(head: Uint8Array): string | undefined {
  for (const { mime, offset, bytes } of SIGNATURES) {
    if (startsWith(head, offset, bytes)) return mime
  }
  if (startsWith(head, 0, ascii('RIFF')) && head.length >= 12) {
    return RIFF_FORMATS[text(head, 8, 12)]
  }
  if (startsWith(head, 4, ascii('ftyp')) && head.length >= 12) {
    const brand = text(head, 8, 12).trimEnd()
    return FTYP_BRANDS[brand] ?? 'video/mp4'
  }
  // An MPEG audio frame header: 11 sync bits, then a layer that is not "reserved".
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0) {
    return 'audio/mpeg'
  }
  return undefined
}

function startsWith(head: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  if (head.length < offset + bytes.length) return false
  return bytes.every((b, i) => head[offset + i] === b)
}

function text(head: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...head.subarray(start, end))
}
