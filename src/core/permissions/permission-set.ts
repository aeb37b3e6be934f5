/**
 * Compiles a permission set (a `permission-set` lexicon, spec: permission.md "Permission Sets",
 * lexicon.md "Permission Set") into the concrete permissions an `include:` scope grants.
 * Tricky bits:
 * - Only `repo` and `rpc` permissions may appear in a set; wildcards and fixed DID audiences are
 *   not allowed there.
 * - Namespace authority: a set may only name NSIDs under its own group (the set's NSID without
 *   its last segment), recursively; never siblings or parents.
 * - `inheritAud: true` takes the `aud` of the `include:` scope; with an `aud` of its own, or with
 *   no `aud` on the include, the permission is invalid.
 * - Any permission that names an unknown resource, an unexpected field or an unexpected value is
 *   ignored on its own, never failing the set: sets evolve and new fields may narrow a grant.
 */
import { parseLexiconDoc } from '../lexicon/schema.ts'
import type { LexPermission, LexPermissionSet } from '../lexicon/types.ts'
import { isValidNsid, type Nsid } from '../syntax/nsid.ts'
import { type Permission, REPO_ACTIONS, type RepoAction } from './permission.ts'

export interface CompiledPermissionSet {
  nsid: Nsid
  title: string | undefined
  titleLang: Readonly<Record<string, string>>
  detail: string | undefined
  detailLang: Readonly<Record<string, string>>
  /** The concrete `repo` and `rpc` permissions granted. */
  permissions: Permission[]
}

export class PermissionSetError extends Error {
  override name = 'PermissionSetError'
}

/** Throws PermissionSetError when `doc` is not the valid permission-set lexicon `nsid`. */
export function compilePermissionSet(
  nsid: Nsid,
  doc: unknown,
  includeAud: string | undefined,
): CompiledPermissionSet {
  const set = permissionSetDef(nsid, doc)
  const group = nsid.slice(0, nsid.lastIndexOf('.'))
  const permissions: Permission[] = []
  for (const entry of set.permissions) {
    const permission = compileEntry(entry, group, includeAud)
    if (permission !== undefined) permissions.push(permission)
  }
  return {
    nsid,
    title: set.title,
    titleLang: set['title:lang'] ?? {},
    detail: set.detail,
    detailLang: set['detail:lang'] ?? {},
    permissions,
  }
}

function permissionSetDef(nsid: Nsid, doc: unknown): LexPermissionSet {
  let parsed: ReturnType<typeof parseLexiconDoc>
  try {
    parsed = parseLexiconDoc(doc)
  } catch (err) {
    throw new PermissionSetError(`${nsid} is not a valid lexicon: ${(err as Error).message}`)
  }
  if (parsed.id !== nsid) throw new PermissionSetError(`the lexicon found for ${nsid} is ${parsed.id}`)
  const main = parsed.defs.main
  if (main?.type !== 'permission-set') throw new PermissionSetError(`${nsid} is not a permission set`)
  return main
}

const REPO_FIELDS = new Set(['type', 'resource', 'description', 'collection', 'action'])
const RPC_FIELDS = new Set(['type', 'resource', 'description', 'lxm', 'aud', 'inheritAud'])

function compileEntry(
  entry: LexPermission,
  group: string,
  includeAud: string | undefined,
): Permission | undefined {
  if (entry.resource === 'repo') return compileRepo(entry, group)
  if (entry.resource === 'rpc') return compileRpc(entry, group, includeAud)
  return undefined
}

function compileRepo(entry: LexPermission, group: string): Permission | undefined {
  if (!onlyFields(entry, REPO_FIELDS)) return undefined
  const collection = nsidsUnder(entry.collection, group)
  if (collection === undefined) return undefined
  if (entry.action === undefined) return { resource: 'repo', collection, action: REPO_ACTIONS }
  const actions = entry.action
  if (!Array.isArray(actions) || actions.length === 0) return undefined
  if (!actions.every((a) => (REPO_ACTIONS as readonly unknown[]).includes(a))) return undefined
  if (new Set(actions).size !== actions.length) return undefined
  return { resource: 'repo', collection, action: REPO_ACTIONS.filter((a: RepoAction) => actions.includes(a)) }
}

function compileRpc(
  entry: LexPermission,
  group: string,
  includeAud: string | undefined,
): Permission | undefined {
  if (!onlyFields(entry, RPC_FIELDS)) return undefined
  const lxm = nsidsUnder(entry.lxm, group)
  if (lxm === undefined) return undefined
  const inherit = entry.inheritAud
  if (inherit !== undefined && typeof inherit !== 'boolean') return undefined
  if (inherit === true) {
    if (entry.aud !== undefined || includeAud === undefined) return undefined
    return { resource: 'rpc', lxm, aud: includeAud }
  }
  // A set may not name a fixed service: the only audience of its own it can have is `*`.
  if (entry.aud !== '*') return undefined
  return { resource: 'rpc', lxm, aud: '*' }
}

function onlyFields(entry: LexPermission, allowed: ReadonlySet<string>): boolean {
  return Object.keys(entry).every((key) => allowed.has(key))
}

/** The values when they are a non-empty array of NSIDs under `group`, no wildcards. */
function nsidsUnder(values: unknown, group: string): string[] | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined
  const prefix = `${group}.`
  for (const v of values) {
    if (typeof v !== 'string' || !isValidNsid(v) || !v.startsWith(prefix)) return undefined
  }
  return [...new Set(values as string[])]
}

/** Whether `target` lies in the namespace a set `setNsid` may address. */
export function isUnderSetAuthority(setNsid: string, target: string): boolean {
  return target.startsWith(`${setNsid.slice(0, setNsid.lastIndexOf('.'))}.`)
}
