/**
 * Email address checks for accounts. Addresses are stored lower-cased (as the reference PDS does),
 * so uniqueness is case-insensitive. The syntax check is deliberately plain (RFC 5321 lengths, one
 * `@`, a dotted domain of DNS labels, no spaces or control characters): the real test is the
 * confirmation mail.
 */
import { InvalidRequestError } from '../errors.ts'

const LOCAL_PART = /^[^\s@"(),:;<>[\\\]\p{Cc}]{1,64}$/u
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function isValidEmail(email: string): boolean {
  if (email.length > 254) return false
  const at = email.lastIndexOf('@')
  if (at <= 0 || email.indexOf('@') !== at) return false
  const local = email.slice(0, at)
  const labels = email.slice(at + 1).split('.')
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    return false
  return (
    labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!)
  )
}

/** Normalizes and validates; throws InvalidRequest (or `errorName`) for an unusable address. */
export function parseEmail(email: string, errorName = 'InvalidRequest'): string {
  const normalized = normalizeEmail(email)
  if (!isValidEmail(normalized)) throw new InvalidRequestError('Invalid email address', errorName)
  return normalized
}
