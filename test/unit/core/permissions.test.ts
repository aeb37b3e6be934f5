// Scope strings and matching, table-driven from the examples of the permission spec
// (permission.md) and the transition scopes of oauth.md.
import { describe, expect, test } from 'bun:test'
import {
  describePermission,
  formatPermission,
  mimeMatches,
  type PermissionRequest,
  parseScope,
  parseScopeSyntax,
  ScopeSet,
  scopeForRequest,
} from '../../../src/core/permissions/index.ts'

describe('scope syntax', () => {
  // permission.md: "Examples of syntactically and semantically valid scope strings"
  const valid = [
    'identity:*',
    'identity:*?',
    'rpc?lxm=*&aud=did:web:api.example.com%23svc_appview',
    'blob?accept=video/*&accept=text/html',
    'repo:app.example.profile?action=create&action=update&action=delete',
    'include:app.example.authFull?aud=did:web:api.example.com%23svc_chat',
  ]
  for (const scope of valid) {
    test(`accepts ${scope}`, () => {
      expect(parseScope(scope).kind).toBe('permission')
    })
  }

  // "match the general syntax, but do not have valid semantics"
  const wellFormedUnknown = [
    'resource',
    'resource:positional?key=val',
    'resource:positional&thing?key=val',
    'service:did:web:com.example#type?key=val',
    'resource:',
    'resource:?',
    'resource:&',
    'resource?',
  ]
  for (const scope of wellFormedUnknown) {
    test(`parses the syntax of ${scope} but grants nothing`, () => {
      expect(parseScopeSyntax(scope)).toBeDefined()
      expect(parseScope(scope).kind).toBe('unknown')
    })
  }

  // "Examples which do not match the general syntax"
  for (const scope of ['resource:positional?key=québec', 'emoji:☺️', 'repo:a.b.c?=x', 'repo:%zz']) {
    test(`rejects the syntax of ${scope}`, () => {
      expect(parseScopeSyntax(scope)).toBeUndefined()
      expect(parseScope(scope).kind).toBe('invalid')
    })
  }

  test('decodes percent-encoding in the positional part and in values', () => {
    expect(parseScopeSyntax('rpc:a.b.c?aud=did:web:x.com%23svc')).toEqual({
      resource: 'rpc',
      positional: 'a.b.c',
      params: new Map([['aud', ['did:web:x.com#svc']]]),
    })
  })
})

describe('permission semantics', () => {
  const cases: Array<[string, unknown]> = [
    ['atproto', { resource: 'atproto' }],
    ['transition:generic', { resource: 'transition', name: 'generic' }],
    ['transition:chat.bsky', { resource: 'transition', name: 'chat.bsky' }],
    [
      'repo:app.example.profile',
      { resource: 'repo', collection: ['app.example.profile'], action: ['create', 'update', 'delete'] },
    ],
    [
      'repo?collection=app.example.profile&collection=app.example.post',
      {
        resource: 'repo',
        collection: ['app.example.profile', 'app.example.post'],
        action: ['create', 'update', 'delete'],
      },
    ],
    ['repo:*?action=delete', { resource: 'repo', collection: ['*'], action: ['delete'] }],
    [
      'rpc:app.example.moderation.createReport?aud=*',
      { resource: 'rpc', lxm: ['app.example.moderation.createReport'], aud: '*' },
    ],
    [
      'rpc?lxm=*&aud=did:web:api.example.com%23svc_appview',
      { resource: 'rpc', lxm: ['*'], aud: 'did:web:api.example.com#svc_appview' },
    ],
    ['blob:*/*', { resource: 'blob', accept: ['*/*'] }],
    ['blob?accept=video/*&accept=text/html', { resource: 'blob', accept: ['video/*', 'text/html'] }],
    ['account:email', { resource: 'account', attr: 'email', action: 'read' }],
    ['account:repo?action=manage', { resource: 'account', attr: 'repo', action: 'manage' }],
    ['account?action=manage&attr=repo', { resource: 'account', attr: 'repo', action: 'manage' }],
    ['identity:handle', { resource: 'identity', attr: 'handle' }],
    ['identity:*', { resource: 'identity', attr: '*' }],
    [
      'include:app.example.authFull?aud=did:web:api.example.com%23svc_chat',
      { resource: 'include', nsid: 'app.example.authFull', aud: 'did:web:api.example.com#svc_chat' },
    ],
    ['include:app.example.authFull', { resource: 'include', nsid: 'app.example.authFull', aud: undefined }],
  ]
  for (const [scope, permission] of cases) {
    test(`${scope} means ${JSON.stringify(permission)}`, () => {
      expect(parseScope(scope)).toEqual({ kind: 'permission', permission } as never)
    })
  }

  const invalid: Array<[string, string]> = [
    ['repo:com.example.record?collection=com.example.other', 'positional given twice'],
    ['repo:com.example.*', 'partial wildcard'],
    ['repo:', 'empty collection'],
    ['repo?action=create', 'no collection'],
    ['repo:a.b.c?action=read', 'unknown action'],
    ['repo:a.b.c?action=create&action=create', 'repeated action'],
    ['repo:a.b.c?colour=red', 'unknown parameter'],
    ['rpc:a.b.c', 'no aud'],
    ['rpc:*?aud=*', 'wildcard lxm and aud'],
    ['rpc:a.b.c?aud=did:web:x.com', 'aud without service fragment'],
    ['rpc:a.b.c?aud=*&aud=did:web:x.com%23a', 'two audiences'],
    ['blob:image', 'not a MIME pattern'],
    ['blob:*/png', 'wildcard type with a subtype'],
    ['account:*', 'account wildcard'],
    ['account:email?action=write', 'unknown account action'],
    ['account:phone', 'unknown account attribute'],
    ['identity:did', 'unknown identity attribute'],
    ['transition:everything', 'unknown transition scope'],
    ['atproto:x', 'atproto with a parameter'],
    ['include:notansid', 'include without an NSID'],
    ['include:a.b.c?aud=*', 'include with a wildcard audience'],
  ]
  for (const [scope, why] of invalid) {
    test(`rejects ${scope} (${why})`, () => {
      expect(parseScope(scope).kind).toBe('invalid')
    })
  }

  test('formatPermission round-trips through parseScope', () => {
    for (const [scope] of cases) {
      const parsed = parseScope(scope)
      if (parsed.kind !== 'permission') throw new Error(scope)
      const again = parseScope(formatPermission(parsed.permission))
      expect(again).toEqual(parsed)
    }
  })

  test('formats the short positional form where it can', () => {
    const p = parseScope('rpc?lxm=a.b.c&aud=did:web:x.com%23svc')
    if (p.kind !== 'permission') throw new Error('parse')
    expect(formatPermission(p.permission)).toBe('rpc:a.b.c?aud=did:web:x.com%23svc')
  })
})

describe('matching', () => {
  const repo = (collection: string, action: 'create' | 'update' | 'delete'): PermissionRequest => ({
    resource: 'repo',
    collection,
    action,
  })
  const rpc = (lxm: string, aud: string): PermissionRequest => ({ resource: 'rpc', lxm, aud })
  const appview = 'did:web:api.bsky.app#bsky_appview'

  const table: Array<[string, PermissionRequest, boolean]> = [
    ['atproto', repo('app.bsky.feed.post', 'create'), false],
    ['atproto transition:generic', repo('app.bsky.feed.post', 'create'), true],
    ['transition:generic', { resource: 'blob', mime: 'image/png' }, true],
    ['transition:generic', rpc('app.bsky.feed.getTimeline', appview), true],
    ['transition:generic', rpc('chat.bsky.convo.listConvos', 'did:web:api.bsky.chat#bsky_chat'), false],
    ['transition:chat.bsky', rpc('chat.bsky.convo.listConvos', 'did:web:api.bsky.chat#bsky_chat'), false],
    [
      'transition:generic transition:chat.bsky',
      rpc('chat.bsky.convo.listConvos', 'did:web:api.bsky.chat#bsky_chat'),
      true,
    ],
    ['transition:generic', { resource: 'account', attr: 'email', action: 'read' }, false],
    ['transition:email', { resource: 'account', attr: 'email', action: 'read' }, true],
    ['transition:email', { resource: 'account', attr: 'email', action: 'manage' }, false],
    ['transition:generic', { resource: 'identity', attr: 'handle' }, false],
    ['repo:app.example.profile', repo('app.example.profile', 'update'), true],
    ['repo:app.example.profile', repo('app.example.post', 'create'), false],
    ['repo:app.example.profile?action=create', repo('app.example.profile', 'delete'), false],
    ['repo:*?action=delete', repo('any.thing.here', 'delete'), true],
    ['repo:*?action=delete', repo('any.thing.here', 'create'), false],
    [
      'rpc:app.example.moderation.createReport?aud=*',
      rpc('app.example.moderation.createReport', appview),
      true,
    ],
    ['rpc:app.example.moderation.createReport?aud=*', rpc('app.example.other', appview), false],
    ['rpc?lxm=*&aud=did:web:api.bsky.app%23bsky_appview', rpc('any.method.name', appview), true],
    [
      'rpc?lxm=*&aud=did:web:api.bsky.app%23bsky_appview',
      rpc('any.method.name', 'did:web:other.app#bsky_appview'),
      false,
    ],
    ['rpc:a.b.c?aud=did:web:api.bsky.app%23bsky_appview', rpc('a.b.c', 'did:web:api.bsky.app'), true],
    ['rpc:a.b.c?aud=did:web:api.bsky.app%23bsky_appview', rpc('a.b.c', 'did:web:api.bsky.app#other'), false],
    ['blob:*/*', { resource: 'blob', mime: 'application/octet-stream' }, true],
    ['blob?accept=video/*&accept=text/html', { resource: 'blob', mime: 'video/mp4' }, true],
    ['blob?accept=video/*&accept=text/html', { resource: 'blob', mime: 'text/html; charset=utf-8' }, true],
    ['blob?accept=video/*&accept=text/html', { resource: 'blob', mime: 'image/png' }, false],
    ['account:email', { resource: 'account', attr: 'email', action: 'read' }, true],
    ['account:email', { resource: 'account', attr: 'email', action: 'manage' }, false],
    ['account:email?action=manage', { resource: 'account', attr: 'email', action: 'read' }, true],
    ['account:repo?action=manage', { resource: 'account', attr: 'email', action: 'read' }, false],
    ['identity:handle', { resource: 'identity', attr: 'handle' }, true],
    ['identity:handle', { resource: 'identity', attr: '*' }, false],
    ['identity:*', { resource: 'identity', attr: 'handle' }, true],
    ['include:app.example.authFull', repo('app.example.post', 'create'), false],
  ]
  for (const [scope, req, allowed] of table) {
    test(`${scope} ${allowed ? 'allows' : 'does not allow'} ${scopeForRequest(req)}`, () => {
      expect(ScopeSet.parse(scope).allows(req)).toBe(allowed)
    })
  }

  test('ignores unknown and invalid scopes in a scope string', () => {
    const set = ScopeSet.parse('atproto  future:thing repo:bad.* repo:a.b.c')
    expect(set.permissions.map(formatPermission)).toEqual(['atproto', 'repo:a.b.c'])
    expect(set.hasAtproto()).toBe(true)
  })

  test('names the missing scope of a request', () => {
    expect(scopeForRequest(repo('app.bsky.feed.post', 'create'))).toBe(
      'repo:app.bsky.feed.post?action=create',
    )
    expect(scopeForRequest(rpc('a.b.c', appview))).toBe('rpc:a.b.c?aud=did:web:api.bsky.app%23bsky_appview')
    expect(scopeForRequest({ resource: 'blob', mime: 'Image/PNG; q=1' })).toBe('blob:image/png')
    expect(scopeForRequest({ resource: 'account', attr: 'email', action: 'manage' })).toBe(
      'account:email?action=manage',
    )
  })

  test('matches MIME patterns case-insensitively and without parameters', () => {
    expect(mimeMatches('image/*', 'IMAGE/Png')).toBe(true)
    expect(mimeMatches('image/*', 'imagery/png')).toBe(false)
    expect(mimeMatches('*/*', 'nonsense')).toBe(false)
  })
})

describe('descriptions', () => {
  test('describe each kind of permission in plain words', () => {
    const text = (scope: string) => {
      const p = parseScope(scope)
      if (p.kind !== 'permission') throw new Error(scope)
      return describePermission(p.permission)
    }
    expect(text('repo:app.example.post?action=create')).toBe(
      'create records of type app.example.post in your public repository',
    )
    expect(text('repo?collection=a.b.c&collection=a.b.d')).toBe(
      'create, change and delete records of type a.b.c and a.b.d in your public repository',
    )
    expect(text('blob:image/*')).toBe('upload files of type image/*')
    expect(text('rpc:a.b.c?aud=*')).toBe('call a.b.c as you on any service')
    expect(text('account:email?action=manage')).toBe('see and change your email address')
    expect(text('identity:handle')).toBe('change your handle')
  })
})
