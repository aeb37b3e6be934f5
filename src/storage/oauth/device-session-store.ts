/** Prepared statements for `oauth_device_session`: browsers signed in to the authorization pages. */
import type { Db } from '../database.ts'

export interface DeviceSessionRow {
  idHash: string
  did: string
  authenticatedAt: string
  expiresAt: string
}

export class DeviceSessionStore {
  constructor(private readonly db: Db) {}

  insert(row: DeviceSessionRow): void {
    this.db
      .prepare(
        'INSERT INTO oauth_device_session (id_hash, did, authenticated_at, expires_at) VALUES (?, ?, ?, ?)',
      )
      .run(row.idHash, row.did, row.authenticatedAt, row.expiresAt)
  }

  /** The session when it has not expired. */
  live(idHash: string, now: string): DeviceSessionRow | undefined {
    return (
      this.db
        .prepare<DeviceSessionRow, [string, string]>(
          `SELECT id_hash AS idHash, did, authenticated_at AS authenticatedAt, expires_at AS expiresAt
            FROM oauth_device_session WHERE id_hash = ? AND expires_at > ?`,
        )
        .get(idHash, now) ?? undefined
    )
  }

  delete(idHash: string): void {
    this.db.prepare('DELETE FROM oauth_device_session WHERE id_hash = ?').run(idHash)
  }

  deleteExpired(now: string): void {
    this.db.prepare('DELETE FROM oauth_device_session WHERE expires_at <= ?').run(now)
  }
}
