/**
 * Redirect URIs (oauth.md "Request Fields"; RFC 8252 §7 for native apps).
 * - web clients: https URLs (the loopback development client is `native`);
 * - native clients: a private-use scheme that is the client_id host reversed, followed by `:/`
 *   and a path (`com.example.app:/callback`), or an https URL on the client_id's origin, or a
 *   loopback IP URL;
 * - matching is exact, except that the port of a loopback IP redirect (`http://127.0.0.1`,
 *   `http://[::1]`) is ignored, because native apps bind an ephemeral port.
 */
export type ApplicationType = 'web' | 'native'

/** Why `uri` cannot be registered by a client of this type and id, or undefined. */
export function redirectUriProblem(uri: string, appType: ApplicationType, clientId: URL): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'is not a URL'
  }
  if (url.hash || uri.includes('#')) return 'may not contain a fragment'
  if (url.username || url.password) return 'may not contain credentials'
  if (url.protocol === 'https:') {
    if (url.hostname === 'localhost') return 'may not use https://localhost'
    if (appType === 'native' && url.origin !== clientId.origin) return 'must be on the client_id origin'
    return undefined
  }
  if (url.protocol === 'http:') {
    if (isLoopbackIpUrl(url) && (appType === 'native' || clientId.hostname === 'localhost')) return undefined
    return 'http is only allowed for loopback IP redirects of native clients'
  }
  if (appType === 'web') return 'must be an https URL'
  return privateSchemeProblem(url, uri, clientId)
}

function privateSchemeProblem(url: URL, uri: string, clientId: URL): string | undefined {
  const scheme = url.protocol.slice(0, -1)
  const reversed = clientId.hostname.split('.').reverse().join('.')
  if (scheme !== reversed) return `a private-use scheme must be ${reversed}`
  if (!uri.startsWith(`${scheme}:/`) || uri.startsWith(`${scheme}://`))
    return 'must have the form scheme:/path'
  return undefined
}

/** Whether the requested redirect URI is one of those registered. */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true
  let req: URL
  try {
    req = new URL(requested)
  } catch {
    return false
  }
  if (!isLoopbackIpUrl(req)) return false
  return registered.some((candidate) => {
    try {
      const reg = new URL(candidate)
      return (
        isLoopbackIpUrl(reg) &&
        reg.hostname === req.hostname &&
        reg.pathname === req.pathname &&
        reg.search === req.search
      )
    } catch {
      return false
    }
  })
}

function isLoopbackIpUrl(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]')
}

/**
 * Whether a WHATWG URL's `hostname` is an IP address. The URL parser has already normalized
 * every IPv4 spelling to dotted decimal and brackets IPv6, so the shape decides.
 */
export function isIpLiteralHost(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname)
}
