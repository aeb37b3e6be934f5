/**
 * MST keys: syntax, depth ("height") and the shared-prefix length used by node compression.
 * Spec: repository "Repository Paths" and "MST Structure".
 *
 * Keys are repo paths `<collection>/<rkey>` restricted to ASCII (`A-Za-z0-9 . - _ : ~`), so we keep them
 * as JS strings: UTF-8 encoding is the identity on them and string order equals byte order, while
 * string comparison is native and cheap. The depth of a key is the number of leading zero bits of
 * sha256(key) divided by two (fanout 4).
 */

export const MAX_KEY_BYTES = 1024

export class InvalidMstKeyError extends Error {
  override name = 'InvalidMstKeyError'
  constructor(readonly key: string) {
    super(`invalid MST key: ${JSON.stringify(key.slice(0, 100))}`)
  }
}

const PATH = /^([A-Za-z0-9._:~-]+)\/([A-Za-z0-9._:~-]+)$/

/** True when `key` is a valid repo path: exactly two non-empty segments of allowed characters. */
export function isValidMstKey(key: string): boolean {
  if (key.length > MAX_KEY_BYTES) return false
  const match = PATH.exec(key)
  if (!match) return false
  // `.` and `..` are never valid NSIDs or record keys (spec: "Repository Paths").
  return !isDots(match[1]!) && !isDots(match[2]!)
}

function isDots(segment: string): boolean {
  return segment === '.' || segment === '..'
}

export function ensureValidMstKey(key: string): void {
  if (!isValidMstKey(key)) throw new InvalidMstKeyError(key)
}

/** Depth of a key in the tree: leading zero bits of sha256(key), counted in 2-bit groups. */
export function keyHeight(key: string): number {
  const hash = Bun.SHA256.hash(key) as Uint8Array
  let height = 0
  for (const byte of hash) {
    if (byte === 0) {
      height += 4
      continue
    }
    // Math.clz32 counts over 32 bits; a byte's own leading zeros are 24 fewer.
    height += (Math.clz32(byte) - 24) >> 1
    break
  }
  return height
}

/** Number of leading characters (= bytes, for valid keys) that `a` and `b` share. */
export function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length)
  let i = 0
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}
