/**
 * Proof Key for Code Exchange with the S256 method only (RFC 7636; oauth.md "PKCE": `plain` is
 * not allowed). A verifier is 43–128 characters of the unreserved set; the challenge is the
 * base64url (unpadded) SHA-256 of the verifier's ASCII bytes, always 43 characters.
 */
import { sha256 } from '../cid.ts'

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function isValidCodeVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier)
}

export function isValidCodeChallenge(challenge: string): boolean {
  return CHALLENGE.test(challenge)
}

export function s256Challenge(verifier: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(verifier))).toString('base64url')
}

/** Whether `verifier` is well-formed and hashes to `challenge`. */
export function verifyPkce(verifier: string, challenge: string): boolean {
  return isValidCodeVerifier(verifier) && s256Challenge(verifier) === challenge
}
