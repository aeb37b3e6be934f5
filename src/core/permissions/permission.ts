/**
 * Permissions as typed values, parsed from and written to OAuth scope strings (spec:
 * permission.md "Resource Types" and oauth.md "Authorization Scopes").
 * Resources: `atproto`, the three `transition:` scopes, `repo`, `rpc`, `blob`, `account`,
 * `identity`, and the meta resource `include` (a permission set, resolved elsewhere).
 * Tricky bits: each resource has one positional parameter, which may instead be given by name
 * but not both ways; `repo`/`rpc` wildcards (`*`) are whole values only; `rpc` needs an `aud`
 * in scope strings and may not be a wildcard on both `lxm` and `aud`; `account` and `identity`
 * take single values. A well-formed string naming a resource we do not know is `unknown` (the
 * permission system grows; such scopes are ignored, never granted), anything else wrong is
 * `invalid`.
 */
import { isValidDid } from '../syntax/did.ts'
import { isValidNsid, type Nsid } from '../syntax/nsid.ts'
import { formatScope, parseScopeSyntax, type ScopeSyntax } from './scope-syntax.ts'

export type RepoAction = 'create' | 'update' | 'delete'
export type AccountAttr = 'email' | 'repo'
export type AccountAction = 'read' | 'manage'
export type IdentityAttr = 'handle' | '*'
export type TransitionName = 'generic' | 'email' | 'chat.bsky'

export const REPO_ACTIONS: readonly RepoAction[] = ['create', 'update', 'delete']
export const ATPROTO_SCOPE = 'atproto'

export type Permission =
  | { resource: 'atproto' }
  | { resource: 'transition'; name: TransitionName }
  | { resource: 'repo'; collection: readonly string[]; action: readonly RepoAction[] }
  | { resource: 'rpc'; lxm: readonly string[]; aud: string }
  | { resource: 'blob'; accept: readonly string[] }
  | { resource: 'account'; attr: AccountAttr; action: AccountAction }
  | { resource: 'identity'; attr: IdentityAttr }
  | { resource: 'include'; nsid: Nsid; aud: string | undefined }

export type ScopeParseResult =
  | { kind: 'permission'; permission: Permission }
  | { kind: 'unknown' }
  | { kind: 'invalid'; reason: string }

type Parser = (s: ScopeSyntax) => Permission | string

const PARSERS: Record<string, Parser> = {
  atproto: (s) =>
    s.positional === undefined && s.params.size === 0 ? { resource: 'atproto' } : 'takes no parameters',
  transition: parseTransition,
  repo: parseRepo,
  rpc: parseRpc,
  blob: parseBlob,
  account: parseAccount,
  identity: parseIdentity,
  include: parseInclude,
}

export function parseScope(scope: string): ScopeParseResult {
  const syntax = parseScopeSyntax(scope)
  if (syntax === undefined) return { kind: 'invalid', reason: 'does not follow the scope syntax' }
  const parser = PARSERS[syntax.resource]
  if (parser === undefined) return { kind: 'unknown' }
  const result = parser(syntax)
  return typeof result === 'string'
    ? { kind: 'invalid', reason: result }
    : { kind: 'permission', permission: result }
}

/** The canonical scope string of a permission; parseScope gives the permission back. */
export function formatPermission(p: Permission): string {
  switch (p.resource) {
    case 'atproto':
      return ATPROTO_SCOPE
    case 'transition':
      return `transition:${p.name}`
    case 'repo':
      return formatArrayScope('repo', 'collection', p.collection, [
        ['action', p.action.length === REPO_ACTIONS.length ? undefined : p.action],
      ])
    case 'rpc':
      return formatArrayScope('rpc', 'lxm', p.lxm, [['aud', p.aud]])
    case 'blob':
      return formatArrayScope('blob', 'accept', p.accept, [])
    case 'account':
      return formatScope('account', p.attr, [['action', p.action === 'read' ? undefined : p.action]])
    case 'identity':
      return formatScope('identity', p.attr)
    case 'include':
      return formatScope('include', p.nsid, [['aud', p.aud]])
  }
}

function formatArrayScope(
  resource: string,
  name: string,
  values: readonly string[],
  rest: ReadonlyArray<readonly [string, string | readonly string[] | undefined]>,
): string {
  if (values.length === 1) return formatScope(resource, values[0], rest)
  return formatScope(resource, undefined, [[name, values], ...rest])
}

/**
 * The values of the resource's positional parameter, given either way; a string on error.
 * `single` parameters take exactly one value.
 */
function positionalValues(s: ScopeSyntax, name: string): readonly string[] | string {
  const named = s.params.get(name)
  if (s.positional !== undefined && named !== undefined) return `${name} is given twice`
  const values = s.positional !== undefined ? [s.positional] : named
  if (values === undefined || values.length === 0 || values.some((v) => v === ''))
    return `${name} is required`
  return values
}

function unexpectedParam(s: ScopeSyntax, allowed: readonly string[]): string | undefined {
  for (const name of s.params.keys()) if (!allowed.includes(name)) return `unexpected parameter ${name}`
  return undefined
}

function single(s: ScopeSyntax, name: string): string | undefined | { error: string } {
  const values = s.params.get(name)
  if (values === undefined) return undefined
  return values.length === 1 ? values[0] : { error: `${name} takes one value` }
}

function parseTransition(s: ScopeSyntax): Permission | string {
  const name = s.positional
  if (s.params.size > 0) return 'takes no parameters'
  if (name === 'generic' || name === 'email' || name === 'chat.bsky') return { resource: 'transition', name }
  return 'unknown transition scope'
}

function parseRepo(s: ScopeSyntax): Permission | string {
  const problem = unexpectedParam(s, ['collection', 'action'])
  if (problem) return problem
  const collection = positionalValues(s, 'collection')
  if (typeof collection === 'string') return collection
  if (!collection.every((c) => c === '*' || isValidNsid(c))) return 'collection must be an NSID or *'
  const actions = s.params.get('action') ?? REPO_ACTIONS
  if (!actions.every((a): a is RepoAction => (REPO_ACTIONS as readonly string[]).includes(a))) {
    return 'action must be create, update or delete'
  }
  if (new Set(actions).size !== actions.length) return 'action values must be unique'
  return {
    resource: 'repo',
    collection: dedupe(collection),
    action: REPO_ACTIONS.filter((a) => actions.includes(a)),
  }
}

function parseRpc(s: ScopeSyntax): Permission | string {
  const problem = unexpectedParam(s, ['lxm', 'aud'])
  if (problem) return problem
  const lxm = positionalValues(s, 'lxm')
  if (typeof lxm === 'string') return lxm
  if (!lxm.every((m) => m === '*' || isValidNsid(m))) return 'lxm must be an NSID or *'
  const aud = single(s, 'aud')
  if (aud === undefined) return 'aud is required'
  if (typeof aud !== 'string') return aud.error
  if (aud !== '*' && !isServiceRef(aud)) return 'aud must be a DID service reference (did:…#service) or *'
  if (aud === '*' && lxm.includes('*')) return 'lxm and aud may not both be *'
  return { resource: 'rpc', lxm: dedupe(lxm), aud }
}

function parseBlob(s: ScopeSyntax): Permission | string {
  const problem = unexpectedParam(s, ['accept'])
  if (problem) return problem
  const accept = positionalValues(s, 'accept')
  if (typeof accept === 'string') return accept
  if (!accept.every(isMimePattern)) return 'accept must be MIME types or patterns such as image/*'
  return { resource: 'blob', accept: dedupe(accept.map((a) => a.toLowerCase())) }
}

function parseAccount(s: ScopeSyntax): Permission | string {
  const problem = unexpectedParam(s, ['attr', 'action'])
  if (problem) return problem
  const attr = positionalValues(s, 'attr')
  if (typeof attr === 'string') return attr
  if (attr.length !== 1 || (attr[0] !== 'email' && attr[0] !== 'repo')) return 'attr must be email or repo'
  const action = single(s, 'action') ?? 'read'
  if (typeof action !== 'string') return action.error
  if (action !== 'read' && action !== 'manage') return 'action must be read or manage'
  return { resource: 'account', attr: attr[0], action }
}

function parseIdentity(s: ScopeSyntax): Permission | string {
  const problem = unexpectedParam(s, ['attr'])
  if (problem) return problem
  const attr = positionalValues(s, 'attr')
  if (typeof attr === 'string') return attr
  if (attr.length !== 1 || (attr[0] !== 'handle' && attr[0] !== '*')) return 'attr must be handle or *'
  return { resource: 'identity', attr: attr[0] }
}

function parseInclude(s: ScopeSyntax): Permission | string {
  const problem = unexpectedParam(s, ['nsid', 'aud'])
  if (problem) return problem
  const nsid = positionalValues(s, 'nsid')
  if (typeof nsid === 'string') return nsid
  if (nsid.length !== 1 || !isValidNsid(nsid[0]!)) return 'include needs one permission-set NSID'
  const aud = single(s, 'aud')
  if (aud !== undefined && (typeof aud !== 'string' || !isServiceRef(aud))) {
    return 'aud must be one DID service reference (did:…#service)'
  }
  return { resource: 'include', nsid: nsid[0] as Nsid, aud }
}

/** `did:…#fragment`: a DID followed by a service id. */
export function isServiceRef(value: string): boolean {
  const hash = value.indexOf('#')
  if (hash === -1) return false
  const fragment = value.slice(hash + 1)
  return isValidDid(value.slice(0, hash)) && /^[a-zA-Z0-9._~-]+$/.test(fragment)
}

const MIME_TOKEN = /^[a-zA-Z0-9!#$&^_.+-]+$/

/** `type/subtype`, `type/*` or `*\/*`, as in the lexicon `blob` type's accept field. */
export function isMimePattern(value: string): boolean {
  const slash = value.indexOf('/')
  if (slash === -1) return false
  const type = value.slice(0, slash)
  const subtype = value.slice(slash + 1)
  if (type === '*') return subtype === '*'
  return MIME_TOKEN.test(type) && (subtype === '*' || MIME_TOKEN.test(subtype))
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)]
}
