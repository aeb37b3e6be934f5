/**
 * App passwords: named, revocable passwords for third-party clients, shown once at creation in
 * the reference's `xxxx-xxxx-xxxx-xxxx` form. A session made with one gets the `appPass` scope
 * (`appPassPrivileged` when created privileged), which cannot manage account security; revoking
 * the app password ends its sessions (the session rows cascade).
 */
import type { AppPasswordRow, AppPasswordStore } from '../../storage/accounts/index.ts'
import { UniqueViolationError } from '../../storage/accounts/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { generateAppPassword, hashAppPassword } from './password.ts'

export const MAX_APP_PASSWORD_NAME_LENGTH = 100

export interface CreatedAppPassword extends AppPasswordRow {
  /** The password itself; never stored or shown again. */
  password: string
}

export class AppPasswordService {
  constructor(
    private readonly store: AppPasswordStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(did: string, rawName: string, privileged: boolean): Promise<CreatedAppPassword> {
    const name = rawName.trim()
    if (name.length === 0 || name.length > MAX_APP_PASSWORD_NAME_LENGTH) {
      throw new InvalidRequestError(
        `App password name must be 1 to ${MAX_APP_PASSWORD_NAME_LENGTH} characters`,
      )
    }
    const password = generateAppPassword()
    const passwordHash = await hashAppPassword(did, password)
    const createdAt = new Date(this.now()).toISOString()
    try {
      this.store.insert(did, name, passwordHash, privileged, createdAt)
    } catch (err) {
      if (err instanceof UniqueViolationError) {
        throw new InvalidRequestError('An app password with this name already exists')
      }
      throw err
    }
    return { name, password, createdAt, privileged }
  }

  list(did: string): AppPasswordRow[] {
    return this.store.list(did)
  }

  /** Deletes the app password and the sessions made with it; unknown names are not an error. */
  revoke(did: string, name: string): void {
    this.store.delete(did, name)
  }
}
