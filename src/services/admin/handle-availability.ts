/**
 * com.atproto.temp.checkHandleAvailability, with the sign-up rules (accounts/handles.ts): a
 * malformed handle or one under another domain is an error, as createAccount would answer; a
 * reserved or taken name is "unavailable", with up to five free names built from the handle, the
 * email's local part and the birth year. Suggestions are checked when made, not reserved.
 */
import { randomInt } from 'node:crypto'
import { isValidEmail, normalizeEmail } from '../accounts/email-address.ts'
import {
  assertServiceHandleRules,
  isServiceHandle,
  MAX_HANDLE_NAME_LENGTH,
  MIN_HANDLE_NAME_LENGTH,
  normalizeNewHandle,
} from '../accounts/handles.ts'
import { InvalidRequestError, XrpcError } from '../errors.ts'
import type { AdminDeps } from './deps.ts'

const NSID = 'com.atproto.temp.checkHandleAvailability'
const MAX_SUGGESTIONS = 5
const RANDOM_TRIES = 10

export interface HandleAvailability {
  handle: string
  result:
    | { $type: `${typeof NSID}#resultAvailable` }
    | { $type: `${typeof NSID}#resultUnavailable`; suggestions: { handle: string; method: string }[] }
}

export function checkHandleAvailability(
  deps: AdminDeps,
  input: { handle: string; email?: string | undefined; birthDate?: string | undefined },
): HandleAvailability {
  if (input.email !== undefined && !isValidEmail(normalizeEmail(input.email))) {
    throw new InvalidRequestError('Invalid email', 'InvalidEmail')
  }
  const domain = deps.config.service_handle_domain
  const handle = normalizeNewHandle(input.handle, domain)
  if (!isServiceHandle(handle, domain)) {
    throw new InvalidRequestError('Not a supported handle domain', 'UnsupportedDomain')
  }
  assertNameRules(handle, domain)
  if (isAvailable(deps, handle)) return { handle, result: { $type: `${NSID}#resultAvailable` } }
  const suggestions = suggest(deps, handle.slice(0, -(domain.length + 1)), input)
  return { handle, result: { $type: `${NSID}#resultUnavailable`, suggestions } }
}

/** Length and characters are errors; a reserved name is only unavailable. */
function assertNameRules(handle: string, domain: string): void {
  try {
    assertServiceHandleRules(handle, domain)
  } catch (err) {
    if (!(err instanceof XrpcError && err.error === 'HandleNotAvailable')) throw err
  }
}

function isAvailable(deps: AdminDeps, handle: string): boolean {
  const domain = deps.config.service_handle_domain
  try {
    assertServiceHandleRules(handle, domain)
  } catch {
    return false
  }
  return handle !== deps.config.hostname && deps.accounts.getAccount(handle) === undefined
}

function suggest(
  deps: AdminDeps,
  name: string,
  input: { email?: string | undefined; birthDate?: string | undefined },
): { handle: string; method: string }[] {
  const candidates: { name: string; method: string }[] = []
  const year = input.birthDate === undefined ? undefined : new Date(input.birthDate).getUTCFullYear()
  if (year !== undefined && Number.isFinite(year))
    candidates.push({ name: withSuffix(name, String(year)), method: 'birth_year' })
  const local = input.email === undefined ? '' : labelOf(normalizeEmail(input.email).split('@')[0] ?? '')
  if (local.length >= MIN_HANDLE_NAME_LENGTH) candidates.push({ name: local, method: 'email' })
  for (let i = 0; i < RANDOM_TRIES; i++) {
    candidates.push({ name: withSuffix(name, String(randomInt(10, 10_000))), method: 'random_digits' })
  }
  const domain = deps.config.service_handle_domain
  const seen = new Set<string>()
  const suggestions: { handle: string; method: string }[] = []
  for (const candidate of candidates) {
    const handle = `${candidate.name}.${domain}`
    if (seen.has(handle) || !isAvailable(deps, handle)) continue
    seen.add(handle)
    suggestions.push({ handle, method: candidate.method })
    if (suggestions.length === MAX_SUGGESTIONS) break
  }
  return suggestions
}

/** `name` shortened so that `name + suffix` fits a handle name. */
function withSuffix(name: string, suffix: string): string {
  const base = name.slice(0, MAX_HANDLE_NAME_LENGTH - suffix.length).replace(/-+$/, '')
  return base + suffix
}

/** The characters of `text` a handle label allows, without leading or trailing hyphens. */
function labelOf(text: string): string {
  return text
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, MAX_HANDLE_NAME_LENGTH)
    .replace(/^-+|-+$/g, '')
}
