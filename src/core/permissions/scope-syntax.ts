/**
 * The general syntax of permission scope strings (spec: permission.md "Scope String Syntax"):
 * `resource[:positional][?name=value&name=value…]`.
 * Tricky bits: the positional part runs to the first `?` and may itself contain colons and `#`;
 * both it and parameter values are percent-decoded; a repeated parameter name makes an array; an
 * empty query (`identity:*?`) is allowed. This module knows nothing about resources: which names
 * and values mean something is decided in permission.ts.
 */

export interface ScopeSyntax {
  resource: string
  /** Undefined when there is no `:`; may be '' (`resource:`), which no resource accepts. */
  positional: string | undefined
  /** Decoded parameter values by name, in order of appearance. */
  params: ReadonlyMap<string, readonly string[]>
}

/** Printable, non-whitespace ASCII: the only characters a scope string may contain. */
const SCOPE_CHARS = /^[\x21-\x7e]+$/
const RESOURCE_NAME = /^[a-z][a-z0-9-]*$/
const PARAM_NAME = /^[a-zA-Z][a-zA-Z0-9]*$/

/** Undefined when `scope` does not follow the general syntax. */
export function parseScopeSyntax(scope: string): ScopeSyntax | undefined {
  if (!SCOPE_CHARS.test(scope)) return undefined
  const q = scope.indexOf('?')
  const head = q === -1 ? scope : scope.slice(0, q)
  const colon = head.indexOf(':')
  const resource = colon === -1 ? head : head.slice(0, colon)
  if (!RESOURCE_NAME.test(resource)) return undefined
  const positional = colon === -1 ? undefined : decode(head.slice(colon + 1))
  if (positional === null) return undefined
  const params = q === -1 ? new Map<string, string[]>() : parseQuery(scope.slice(q + 1))
  if (params === undefined) return undefined
  return { resource, positional, params }
}

function parseQuery(query: string): Map<string, string[]> | undefined {
  const params = new Map<string, string[]>()
  if (query === '') return params
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) return undefined
    const name = pair.slice(0, eq)
    const value = decode(pair.slice(eq + 1))
    if (!PARAM_NAME.test(name) || value === null || value === '') return undefined
    const values = params.get(name)
    if (values === undefined) params.set(name, [value])
    else values.push(value)
  }
  return params
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}

/** Characters that would change the meaning of a positional part or a parameter value. */
const RESERVED = /[%&=#?+\s]/g

export function encodeScopeComponent(value: string): string {
  return value.replace(RESERVED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/**
 * Writes a scope string: the `positional` value (if any) after a colon, then `params` in the
 * order given, array values as repeated names.
 */
export function formatScope(
  resource: string,
  positional: string | undefined,
  params: ReadonlyArray<readonly [string, string | readonly string[] | undefined]> = [],
): string {
  let out = positional === undefined ? resource : `${resource}:${encodeScopeComponent(positional)}`
  const pairs: string[] = []
  for (const [name, value] of params) {
    if (value === undefined) continue
    for (const v of typeof value === 'string' ? [value] : value)
      pairs.push(`${name}=${encodeScopeComponent(v)}`)
  }
  if (pairs.length > 0) out += `?${pairs.join('&')}`
  return out
}
