/**
 * Handle rules for sign-up, as the reference PDS applies them: lower-case; a bare name ("alice")
 * becomes `alice.<service_handle_domain>` (perlsky's convenience, used by the seed's curl
 * example); the syntax and TLD must be valid (InvalidHandle). Under our domain the name is one
 * label of 3 to 18 characters and not reserved (HandleNotAvailable); any other domain is refused
 * (UnsupportedDomain) unless the account brings its own DID (migration), in which case the handle
 * must already resolve to that DID.
 */
import { isServableHandle, isValidHandle, normalizeHandle } from '../../core/syntax/handle.ts'
import { InvalidRequestError } from '../errors.ts'
import { RESERVED_HANDLE_NAMES } from './reserved-handles.ts'

export const MIN_HANDLE_NAME_LENGTH = 3
export const MAX_HANDLE_NAME_LENGTH = 18

/** Lower-cases, completes a bare name with the service domain, and checks syntax and TLD. */
export function normalizeNewHandle(input: string, serviceDomain: string): string {
  const trimmed = normalizeHandle(input.trim())
  const handle = trimmed.includes('.') ? trimmed : `${trimmed}.${serviceDomain}`
  if (!isValidHandle(handle)) throw new InvalidRequestError('Invalid handle', 'InvalidHandle')
  if (!isServableHandle(handle)) {
    throw new InvalidRequestError('Handle TLD is invalid or disallowed', 'InvalidHandle')
  }
  return handle
}

export function isServiceHandle(handle: string, serviceDomain: string): boolean {
  return handle.endsWith(`.${serviceDomain}`)
}

/** The constraints on a handle under our own domain. */
export function assertServiceHandleRules(handle: string, serviceDomain: string): void {
  const name = handle.slice(0, -(serviceDomain.length + 1))
  if (name.includes('.')) throw new InvalidRequestError('Invalid characters in handle', 'InvalidHandle')
  if (name.length < MIN_HANDLE_NAME_LENGTH) throw new InvalidRequestError('Handle too short', 'InvalidHandle')
  if (name.length > MAX_HANDLE_NAME_LENGTH) throw new InvalidRequestError('Handle too long', 'InvalidHandle')
  if (RESERVED_HANDLE_NAMES.has(name)) throw new InvalidRequestError('Reserved handle', 'HandleNotAvailable')
}

/** The server's own hostname is never a user's handle: its well-known and TLS belong to the PDS. */
export function assertNotServerHostname(handle: string, hostname: string): void {
  if (handle === hostname) throw new InvalidRequestError('Reserved handle', 'HandleNotAvailable')
}

/**
 * The createAccount body with its handle normalized (see normalizeNewHandle), so that the lexicon's
 * handle format accepts a bare name; a body without a string handle is left to validation.
 */
export function withNormalizedHandle(body: unknown, serviceDomain: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body
  const { handle } = body as { handle?: unknown }
  if (typeof handle !== 'string') return body
  return { ...body, handle: normalizeNewHandle(handle, serviceDomain) }
}
