/**
 * The permissions an OAuth token carries, and the question every endpoint asks of them: "may
 * this token do X?" (spec: permission.md "Resource Types"; oauth.md "Transitional Scopes").
 * Tricky bits:
 * - `transition:generic` allows every repo write, every blob upload and RPC to any service except
 *   the `chat.bsky.*` methods; those need `transition:chat.bsky`, which only works together with
 *   `transition:generic`. `transition:email` reads the account email. No transition scope grants
 *   `identity` or account management.
 * - `account:…?action=manage` includes `read`; `identity:*` includes every identity attribute.
 * - An `rpc` audience is a service reference (`did:web:api.example.com#svc`). A service-auth
 *   token request names only a DID; it matches a permission for any service of that DID.
 * - MIME matching ignores parameters (`; charset=…`) and case.
 * `include:` scopes must be compiled (permission-set.ts) before a ScopeSet is built: here they
 * grant nothing.
 */
import {
  type AccountAction,
  type AccountAttr,
  type IdentityAttr,
  type Permission,
  parseScope,
  type RepoAction,
} from './permission.ts'
import { formatScope } from './scope-syntax.ts'

/** One action an endpoint is about to perform on the account's behalf. */
export type PermissionRequest =
  | { resource: 'repo'; collection: string; action: RepoAction }
  | { resource: 'rpc'; lxm: string; aud: string }
  | { resource: 'blob'; mime: string }
  | { resource: 'account'; attr: AccountAttr; action: AccountAction }
  | { resource: 'identity'; attr: IdentityAttr }

const CHAT_PREFIX = 'chat.bsky.'

export class ScopeSet {
  readonly permissions: readonly Permission[]
  private readonly transitions = new Set<string>()

  constructor(permissions: readonly Permission[]) {
    this.permissions = permissions
    for (const p of permissions) if (p.resource === 'transition') this.transitions.add(p.name)
  }

  /** Parses a space-separated scope string; scopes that are unknown or invalid grant nothing. */
  static parse(scope: string): ScopeSet {
    const permissions: Permission[] = []
    for (const token of scope.split(' ')) {
      const result = token === '' ? undefined : parseScope(token)
      if (result?.kind === 'permission') permissions.push(result.permission)
    }
    return new ScopeSet(permissions)
  }

  hasAtproto(): boolean {
    return this.permissions.some((p) => p.resource === 'atproto')
  }

  allows(req: PermissionRequest): boolean {
    return this.allowedByTransition(req) || this.permissions.some((p) => grants(p, req))
  }

  private allowedByTransition(req: PermissionRequest): boolean {
    const generic = this.transitions.has('generic')
    switch (req.resource) {
      case 'repo':
      case 'blob':
        return generic
      case 'rpc':
        if (!req.lxm.startsWith(CHAT_PREFIX)) return generic
        return generic && this.transitions.has('chat.bsky')
      case 'account':
        return req.attr === 'email' && req.action === 'read' && this.transitions.has('email')
      case 'identity':
        return false
    }
  }
}

function grants(p: Permission, req: PermissionRequest): boolean {
  switch (req.resource) {
    case 'repo':
      return (
        p.resource === 'repo' &&
        p.action.includes(req.action) &&
        (p.collection.includes('*') || p.collection.includes(req.collection))
      )
    case 'rpc':
      return (
        p.resource === 'rpc' &&
        (p.lxm.includes('*') || p.lxm.includes(req.lxm)) &&
        audienceMatches(p.aud, req.aud)
      )
    case 'blob':
      return p.resource === 'blob' && p.accept.some((pattern) => mimeMatches(pattern, req.mime))
    case 'account':
      return (
        p.resource === 'account' && p.attr === req.attr && (p.action === 'manage' || req.action === 'read')
      )
    case 'identity':
      return p.resource === 'identity' && (p.attr === '*' || p.attr === req.attr)
  }
}

function audienceMatches(granted: string, requested: string): boolean {
  if (granted === '*' || granted === requested) return true
  return !requested.includes('#') && granted.slice(0, granted.indexOf('#')) === requested
}

/** Whether `mime` (a Content-Type, parameters allowed) is accepted by `pattern`. */
export function mimeMatches(pattern: string, mime: string): boolean {
  const type = mime.split(';', 1)[0]!.trim().toLowerCase()
  if (pattern === '*/*') return type.includes('/')
  if (pattern.endsWith('/*')) return type.startsWith(pattern.slice(0, -1))
  return type === pattern
}

/** The scope string that would allow `req`: what a 403 names as missing. */
export function scopeForRequest(req: PermissionRequest): string {
  switch (req.resource) {
    case 'repo':
      return formatScope('repo', req.collection, [['action', req.action]])
    case 'rpc':
      return formatScope('rpc', req.lxm, [['aud', req.aud]])
    case 'blob':
      return formatScope('blob', req.mime.split(';', 1)[0]!.trim().toLowerCase())
    case 'account':
      return formatScope('account', req.attr, [['action', req.action === 'read' ? undefined : req.action]])
    case 'identity':
      return formatScope('identity', req.attr)
  }
}
