/**
 * Where a did:web document lives (W3C did:web "Read (Resolve)"): `did:web:<host>` is fetched from
 * `https://<host>/.well-known/did.json`, `did:web:<host>:<p1>:<p2>` from
 * `https://<host>/<p1>/<p2>/did.json`. Restrictions: the host must be a servable host name (no
 * IP address, no reserved TLD such as .local) and may not carry a port; the one exception is
 * `localhost` (any port, plain http) when `allowLocalhost` is set for development and tests. Path
 * segments are limited to unreserved characters so a DID can never walk the server's paths.
 * Note: atproto's spec and the reference resolver accept only hostname-level did:web; this
 * server also resolves path-based ones because its own did:web accounts use them.
 */
import { isServableHandle } from '../../core/syntax/handle.ts'
import { UnsupportedDidError } from './errors.ts'

const DID_WEB_PREFIX = 'did:web:'
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/

export function didWebUrl(did: string, allowLocalhost: boolean): URL {
  if (!did.startsWith(DID_WEB_PREFIX)) throw new UnsupportedDidError(`not a did:web: ${did.slice(0, 100)}`)
  const [hostPart = '', ...segments] = did.slice(DID_WEB_PREFIX.length).split(':').map(decode)
  const path = segments.length === 0 ? '.well-known' : segments.join('/')
  if (!segments.every((s) => PATH_SEGMENT.test(s) && s !== '.' && s !== '..')) {
    throw new UnsupportedDidError('did:web path segments may only contain letters, digits and . _ ~ -')
  }
  const host = hostPart.toLowerCase()
  const [hostname = '', port] = host.split(':')
  if (hostname === 'localhost' && allowLocalhost && (port === undefined || /^\d{1,5}$/.test(port))) {
    return new URL(`http://${host}/${path}/did.json`)
  }
  if (port !== undefined) throw new UnsupportedDidError('did:web with a port is only allowed for localhost')
  if (!isServableHandle(hostname)) {
    throw new UnsupportedDidError(`did:web with an unusable host name: ${hostname.slice(0, 100)}`)
  }
  return new URL(`https://${hostname}/${path}/did.json`)
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new UnsupportedDidError('did:web with invalid percent-encoding')
  }
}
