/**
 * Turns a requested scope string into what a token is granted: every `include:` resolved and
 * compiled into concrete permissions (permission.md "Permission Sets"), unknown scopes dropped,
 * the rest kept as they are. A set that cannot be resolved, or is not a valid permission set, is
 * a clean `invalid_scope`. The compiled sets are also what the consent page shows.
 */
import { OAuthError } from '../../core/oauth/errors.ts'
import {
  type CompiledPermissionSet,
  compilePermissionSet,
  formatPermission,
  type Permission,
  parseScope,
} from '../../core/permissions/index.ts'
import type { PermissionSetResolver } from './permission-sets.ts'

export interface CompiledScope {
  /** The permissions a token carries, as a canonical scope string (no include: left). */
  permissions: string
  /** The permissions requested directly, in request order. */
  direct: Permission[]
  /** The permission sets requested, compiled. */
  sets: CompiledPermissionSet[]
}

export class ScopeCompiler {
  constructor(private readonly sets: PermissionSetResolver) {}

  async compile(scope: string): Promise<CompiledScope> {
    const direct: Permission[] = []
    const includes: Array<Extract<Permission, { resource: 'include' }>> = []
    for (const token of scope.split(' ')) {
      const parsed = token === '' ? undefined : parseScope(token)
      if (parsed?.kind === 'invalid') throw new OAuthError('invalid_scope', `scope ${token} ${parsed.reason}`)
      if (parsed?.kind !== 'permission') continue
      if (parsed.permission.resource === 'include') includes.push(parsed.permission)
      else direct.push(parsed.permission)
    }
    const sets = await Promise.all(includes.map((p) => this.compileSet(p.nsid, p.aud)))
    const all = [...direct, ...sets.flatMap((s) => s.permissions)]
    return { permissions: [...new Set(all.map(formatPermission))].join(' '), direct, sets }
  }

  private async compileSet(
    nsid: Extract<Permission, { resource: 'include' }>['nsid'],
    aud: string | undefined,
  ) {
    let doc: unknown
    try {
      doc = await this.sets.resolve(nsid)
      return compilePermissionSet(nsid, doc, aud)
    } catch (err) {
      throw new OAuthError(
        'invalid_scope',
        `the permission set ${nsid} cannot be used: ${(err as Error).message}`,
      )
    }
  }
}
