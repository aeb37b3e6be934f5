/**
 * An account's hosting status (spec: account.md "Hosting Status"): active, or inactive with the
 * reason. A taken-down account reports `takendown` even when also deactivated, because the
 * takedown is what keeps it down.
 */
import type { AccountRow } from '../../storage/accounts/index.ts'

export type InactiveStatus = 'deactivated' | 'takendown' | 'deleted'

export interface AccountStatus {
  active: boolean
  status?: InactiveStatus
}

export function accountStatusOf(account: AccountRow | undefined): AccountStatus {
  if (account === undefined) return { active: false, status: 'deleted' }
  if (account.takedownRef !== null) return { active: false, status: 'takendown' }
  if (account.deactivatedAt !== null) return { active: false, status: 'deactivated' }
  return { active: true }
}
