/**
 * HTTP Basic `admin:<admin_password>` for administrative XRPC methods (createInviteCode(s)).
 * Compared in constant time over SHA-256 digests, so neither the content nor the length of the
 * configured password leaks through timing. With no admin_password configured, nothing passes.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

const ADMIN_USER = 'admin'

export class AdminAuth {
  private readonly expected: Buffer | undefined

  constructor(adminPassword: string | undefined) {
    this.expected = adminPassword === undefined ? undefined : digest(`${ADMIN_USER}:${adminPassword}`)
  }

  /** True when the Authorization header carries the admin credentials. */
  check(authorization: string | null): boolean {
    if (this.expected === undefined || authorization === null) return false
    const [scheme, encoded, extra] = authorization.trim().split(/\s+/)
    if (scheme?.toLowerCase() !== 'basic' || encoded === undefined || extra !== undefined) return false
    const given = digest(Buffer.from(encoded, 'base64').toString('utf8'))
    return timingSafeEqual(given, this.expected)
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}
