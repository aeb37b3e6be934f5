/**
 * What a permission allows, in plain English, for the consent page (spec: oauth.md "Authorization
 * Interface": the approval prompt must describe the scope of authorization requested).
 * Each sentence completes "This app will be able to …". `include:` sets are described by their
 * own title and detail, which the caller has resolved.
 */
import type { Permission, RepoAction } from './permission.ts'

const ACTION_VERBS: Record<RepoAction, string> = { create: 'create', update: 'change', delete: 'delete' }

export function describePermission(p: Permission): string {
  switch (p.resource) {
    case 'atproto':
      return 'know which account you are (your DID and handle)'
    case 'transition':
      return describeTransition(p.name)
    case 'repo':
      return `${joinWords(p.action.map((a) => ACTION_VERBS[a]))} ${recordKinds(p.collection)} in your public repository`
    case 'rpc':
      return `call ${methodList(p.lxm)} as you on ${p.aud === '*' ? 'any service' : `the service ${p.aud}`}`
    case 'blob':
      return `upload ${p.accept.includes('*/*') ? 'files of any type' : `files of type ${joinWords(p.accept)}`}`
    case 'account':
      return describeAccount(p.attr, p.action)
    case 'identity':
      return p.attr === '*'
        ? 'take full control of your identity: change your DID document and your handle'
        : 'change your handle'
    case 'include':
      return `use the permission set ${p.nsid}`
  }
}

function describeTransition(name: 'generic' | 'email' | 'chat.bsky'): string {
  switch (name) {
    case 'generic':
      return (
        'create, change and delete any records in your public repository, upload files, and use ' +
        'other services as you (like an app password: no direct messages, no account settings)'
      )
    case 'email':
      return 'see your email address and whether it is confirmed'
    case 'chat.bsky':
      return 'read and send your direct messages'
  }
}

function describeAccount(attr: 'email' | 'repo', action: 'read' | 'manage'): string {
  if (attr === 'email')
    return action === 'manage' ? 'see and change your email address' : 'see your email address'
  return action === 'manage'
    ? 'replace your whole repository with an imported one (used to move an account)'
    : 'read your repository settings (this grants nothing more)'
}

function recordKinds(collections: readonly string[]): string {
  if (collections.includes('*')) return 'records of any type'
  return `records of type ${joinWords(collections)}`
}

function methodList(lxm: readonly string[]): string {
  return lxm.includes('*') ? 'any method' : joinWords(lxm)
}

/** "a", "a and b", "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? ''
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
}
