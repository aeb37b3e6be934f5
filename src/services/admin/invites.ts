/**
 * The admin's invite code tools: com.atproto.admin.getInviteCodes (every code, newest or most
 * used first), disableInviteCodes (by code, or all codes minted for some accounts), and
 * disable/enableAccountInvites: while an account's invites are disabled, the codes minted for it
 * cannot be spent (accounts here never mint their own; services/invites). The cursor is
 * `<sort key>::<code>` of the page's last code, as the reference writes it.
 */
import type { InviteCodeDetail, InviteCursor, InviteSort } from '../../storage/moderation/index.ts'
import { InvalidRequestError } from '../errors.ts'
import { ADMIN_ACCOUNT } from '../invites/invites.ts'
import type { AdminDeps } from './deps.ts'

const CURSOR_SEPARATOR = '::'

export interface InviteCodePage {
  codes: InviteCodeDetail[]
  cursor?: string
}

export function getInviteCodes(
  deps: AdminDeps,
  query: { sort: string; limit: number; cursor?: string | undefined },
): InviteCodePage {
  const sort = parseSort(query.sort)
  const cursor = query.cursor === undefined ? undefined : parseCursor(sort, query.cursor)
  const codes = deps.store.inviteCodes(sort, cursor, query.limit)
  const last = codes.at(-1)
  if (last === undefined || codes.length < query.limit) return { codes }
  const key = sort === 'recent' ? last.createdAt : String(last.uses.length)
  return { codes, cursor: `${key}${CURSOR_SEPARATOR}${last.code}` }
}

export function disableInviteCodes(
  deps: AdminDeps,
  input: { codes?: readonly string[] | undefined; accounts?: readonly string[] | undefined },
): void {
  const { codes = [], accounts = [] } = input
  if (accounts.includes(ADMIN_ACCOUNT)) throw new InvalidRequestError('cannot disable admin invite codes')
  deps.store.disableCodes(codes, accounts)
}

export function setAccountInvitesDisabled(deps: AdminDeps, did: string, disabled: boolean): void {
  if (!deps.store.setInvitesDisabled(did, disabled)) {
    throw new InvalidRequestError(`Account does not exist: ${did}`)
  }
  deps.logger.info(disabled ? 'account invites disabled' : 'account invites enabled', { did })
}

function parseSort(sort: string): InviteSort {
  if (sort === 'recent' || sort === 'usage') return sort
  throw new InvalidRequestError(`unknown sort method: ${sort}`)
}

function parseCursor(sort: InviteSort, cursor: string): InviteCursor {
  const at = cursor.lastIndexOf(CURSOR_SEPARATOR)
  const key = cursor.slice(0, at)
  const code = cursor.slice(at + CURSOR_SEPARATOR.length)
  const valid = at > 0 && code !== '' && (sort === 'recent' || /^\d+$/.test(key))
  if (!valid) throw new InvalidRequestError('Malformed cursor')
  return { key: sort === 'recent' ? key : Number(key), code }
}
