// Permission-set compilation (permission.md "Permission Sets", "Namespace Authority"), from the
// interop catalogue's permission-set lexicon and from the spec's own example.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  compilePermissionSet,
  formatPermission,
  isUnderSetAuthority,
  PermissionSetError,
} from '../../../src/core/permissions/index.ts'
import type { Nsid } from '../../../src/core/syntax/nsid.ts'

const FIXTURE = join(import.meta.dir, '../../fixtures/interop/lexicon/catalog/permission-set.json')

function set(id: string, permissions: unknown[], extra: Record<string, unknown> = {}) {
  return { lexicon: 1, id, defs: { main: { type: 'permission-set', permissions, ...extra } } }
}

const AUD = 'did:web:api.example.com#svc_appview'

describe('compilePermissionSet', () => {
  test('keeps only permissions inside the namespace of the interop fixture set', () => {
    const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'))
    const compiled = compilePermissionSet('example.lexicon.permissionset' as Nsid, doc, AUD)
    // Every repo/rpc entry names com.example.* or app.bsky.* (or a wildcard): none is under
    // example.lexicon, so nothing is granted.
    expect(compiled.permissions).toEqual([])
    expect(compiled.title).toBe('Example for Moderation')
    expect(compiled.detailLang).toEqual({ 'fr-FR': 'Créer des rapports de modération' })
  })

  test('compiles the spec example, inheriting the include audience', () => {
    const doc = set(
      'com.example.authBasicFeatures',
      [
        { type: 'permission', resource: 'repo', collection: ['com.example.post'] },
        { type: 'permission', resource: 'repo', collection: ['com.example.like'], action: ['delete'] },
        { type: 'permission', resource: 'rpc', inheritAud: true, lxm: ['com.example.getFeed'] },
        { type: 'permission', resource: 'rpc', aud: '*', lxm: ['com.example.getFeedSkeleton'] },
      ],
      { title: 'Basic App Functionality' },
    )
    const compiled = compilePermissionSet('com.example.authBasicFeatures' as Nsid, doc, AUD)
    expect(compiled.permissions.map(formatPermission)).toEqual([
      'repo:com.example.post',
      'repo:com.example.like?action=delete',
      'rpc:com.example.getFeed?aud=did:web:api.example.com%23svc_appview',
      'rpc:com.example.getFeedSkeleton?aud=*',
    ])
  })

  const ignored: Array<[string, unknown]> = [
    ['a blob permission', { type: 'permission', resource: 'blob', accept: ['*/*'] }],
    ['an account permission', { type: 'permission', resource: 'account', attr: 'email' }],
    ['an unknown resource', { type: 'permission', resource: 'teleport', target: ['x'] }],
    ['a wildcard collection', { type: 'permission', resource: 'repo', collection: ['*'] }],
    ['a sibling namespace', { type: 'permission', resource: 'repo', collection: ['com.other.post'] }],
    ['a parent namespace', { type: 'permission', resource: 'repo', collection: ['com.post'] }],
    ['an unknown field', { type: 'permission', resource: 'repo', collection: ['com.example.a'], only: 'x' }],
    [
      'an unknown action',
      { type: 'permission', resource: 'repo', collection: ['com.example.a'], action: ['x'] },
    ],
    ['a fixed DID audience', { type: 'permission', resource: 'rpc', lxm: ['com.example.a'], aud: AUD }],
    ['no audience at all', { type: 'permission', resource: 'rpc', lxm: ['com.example.a'] }],
    [
      'inheritAud with its own aud',
      { type: 'permission', resource: 'rpc', lxm: ['com.example.a'], aud: '*', inheritAud: true },
    ],
    ['a wildcard method', { type: 'permission', resource: 'rpc', lxm: ['*'], aud: '*' }],
  ]
  for (const [what, entry] of ignored) {
    test(`ignores ${what} but keeps the rest of the set`, () => {
      const doc = set('com.example.authSet', [
        entry,
        { type: 'permission', resource: 'repo', collection: ['com.example.sub.deep.record'] },
      ])
      const compiled = compilePermissionSet('com.example.authSet' as Nsid, doc, AUD)
      expect(compiled.permissions.map(formatPermission)).toEqual(['repo:com.example.sub.deep.record'])
    })
  }

  test('drops inheritAud permissions when the include has no audience', () => {
    const doc = set('com.example.authSet', [
      { type: 'permission', resource: 'rpc', inheritAud: true, lxm: ['com.example.getFeed'] },
    ])
    expect(compilePermissionSet('com.example.authSet' as Nsid, doc, undefined).permissions).toEqual([])
  })

  test('refuses a document that is not the requested permission set', () => {
    const doc = set('com.example.authSet', [])
    expect(() => compilePermissionSet('com.example.authOther' as Nsid, doc, undefined)).toThrow(
      PermissionSetError,
    )
    const record = { lexicon: 1, id: 'com.example.rec', defs: { main: { type: 'token' } } }
    expect(() => compilePermissionSet('com.example.rec' as Nsid, record, undefined)).toThrow(
      PermissionSetError,
    )
    expect(() => compilePermissionSet('com.example.rec' as Nsid, { nonsense: true }, undefined)).toThrow(
      PermissionSetError,
    )
  })

  test('namespace authority covers children, never siblings or parents', () => {
    expect(isUnderSetAuthority('app.example.feed.authOnlyPost', 'app.example.feed.post')).toBe(true)
    expect(isUnderSetAuthority('app.example.feed.authOnlyPost', 'app.example.feed.sub.x')).toBe(true)
    expect(isUnderSetAuthority('app.example.feed.authOnlyPost', 'app.example.actor.profile')).toBe(false)
    expect(isUnderSetAuthority('app.example.authFull', 'app.example.actor.profile')).toBe(true)
    expect(isUnderSetAuthority('app.example.authFull', 'app.examples.post')).toBe(false)
  })
})
