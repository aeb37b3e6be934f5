/** atproto permissions: scope strings, permission sets, matching and plain-language descriptions. */
export { describePermission, joinWords } from './describe.ts'
export {
  type AccountAction,
  type AccountAttr,
  ATPROTO_SCOPE,
  formatPermission,
  type IdentityAttr,
  isMimePattern,
  isServiceRef,
  type Permission,
  parseScope,
  REPO_ACTIONS,
  type RepoAction,
  type ScopeParseResult,
  type TransitionName,
} from './permission.ts'
export {
  type CompiledPermissionSet,
  compilePermissionSet,
  isUnderSetAuthority,
  PermissionSetError,
} from './permission-set.ts'
export { mimeMatches, type PermissionRequest, ScopeSet, scopeForRequest } from './scope-set.ts'
export { encodeScopeComponent, formatScope, parseScopeSyntax, type ScopeSyntax } from './scope-syntax.ts'
