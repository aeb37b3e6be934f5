/**
 * Password hashing with scrypt (node:crypto, run on the thread pool so logins do not block the
 * event loop). Account passwords get a random 16-byte salt and a self-describing record,
 * `scrypt$N$r$p$<salt b64>$<hash b64>`, so the cost can be raised later without breaking old
 * hashes; the comparison is constant-time. App passwords are random (80 bits), so they use a
 * per-account salt instead: the hash is then deterministic and a login finds the app password
 * by one indexed lookup instead of trying every app password of the account.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 256

const COST = { N: 16384, r: 8, p: 1 } as const
const KEY_LENGTH = 64
const SALT_LENGTH = 16
const APP_PASSWORD_SALT_PREFIX = 'perlsky app password:'
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const DUMMY_SALT = Buffer.alloc(SALT_LENGTH)

interface ScryptCost {
  N: number
  r: number
  p: number
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const hash = await derive(password, salt, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join('$')
}

/** False for a wrong password and for a stored value that is not a hash this module wrote. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![N, r, p].every(Number.isSafeInteger)) return false
  const salt = Buffer.from(parts[4]!, 'base64')
  const expected = Buffer.from(parts[5]!, 'base64')
  const actual = await derive(password, salt, { N, r, p })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * Spends the same time as a real verification, so a login for an unknown identifier cannot be told
 * apart from a wrong password by its latency.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  await derive(password, DUMMY_SALT, COST)
}

export async function hashAppPassword(did: string, password: string): Promise<string> {
  const hash = await derive(password, Buffer.from(APP_PASSWORD_SALT_PREFIX + did), COST)
  return hash.toString('base64')
}

/** `xxxx-xxxx-xxxx-xxxx` in lower-case base32 (80 random bits), the reference's format. */
export function generateAppPassword(): string {
  const bytes = randomBytes(16)
  let out = ''
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += '-'
    out += BASE32[bytes[i]! & 31]
  }
  return out
}

export const APP_PASSWORD_PATTERN = /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}
