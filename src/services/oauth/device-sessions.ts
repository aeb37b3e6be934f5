/**
 * Browsers signed in to the authorization pages: a random cookie value (only its SHA-256 is
 * stored), valid for SESSION_LIFETIME_MS after the password was entered. One account per
 * browser; signing in again replaces the session.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { DeviceSessionRow, OAuthTables } from '../../storage/oauth/index.ts'

export const DEVICE_SESSION_LIFETIME_MS = 7 * 24 * 3_600_000

export interface DeviceSession {
  did: string
  /** Milliseconds: when the password was last entered. */
  authenticatedAt: number
}

export class DeviceSessions {
  constructor(
    private readonly tables: OAuthTables,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs `did` in; returns the cookie value and when it expires. */
  create(did: string, replacing?: string): { cookie: string; expiresAt: Date } {
    const cookie = randomBytes(32).toString('base64url')
    const now = this.now()
    const expiresAt = new Date(now + DEVICE_SESSION_LIFETIME_MS)
    const row: DeviceSessionRow = {
      idHash: hashCookie(cookie),
      did,
      authenticatedAt: new Date(now).toISOString(),
      expiresAt: expiresAt.toISOString(),
    }
    this.tables.db.transaction(() => {
      if (replacing) this.tables.deviceSessions.delete(hashCookie(replacing))
      this.tables.deviceSessions.deleteExpired(row.authenticatedAt)
      this.tables.deviceSessions.insert(row)
    })
    return { cookie, expiresAt }
  }

  get(cookie: string | undefined): DeviceSession | undefined {
    if (!cookie) return undefined
    const row = this.tables.deviceSessions.live(hashCookie(cookie), new Date(this.now()).toISOString())
    return row === undefined ? undefined : { did: row.did, authenticatedAt: Date.parse(row.authenticatedAt) }
  }

  delete(cookie: string | undefined): void {
    if (cookie) this.tables.deviceSessions.delete(hashCookie(cookie))
  }
}

export function hashCookie(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}
