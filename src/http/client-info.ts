/**
 * Who is asking, and through which URL. X-Forwarded-For / -Proto / -Host are honoured only when
 * the TCP peer is loopback: the supported deployment is a reverse proxy on the same machine, and
 * anyone else could forge those headers. Later code uses this for DPoP `htu`, rate-limit keys and
 * per-handle hosts.
 * Resolved lazily, once per request: asking the socket for its peer and parsing the URL are a
 * measurable share of a small request, and most requests (a getRecord, a createRecord with a
 * bearer token) never look at the answer.
 */
import { isTrustedProxyAddress } from '../config/trust-proxy.ts'

export interface ClientInfo {
  /** The client's IP address ('unknown' when the socket is already gone). */
  ip: string
  /** 'http' or 'https', as the client used it. */
  proto: 'http' | 'https'
  /** Host (and port, when not the default) the client addressed, lower-cased. */
  host: string
}

/** The one method of Bun's `Server` this needs; a plain object in unit tests. */
export interface PeerSource {
  requestIP(request: Request): { address: string } | null
}

const resolvedByRequest = new WeakMap<Request, ClientInfo>()

/** The client behind `request`; each field is worked out on first read. */
export function clientInfo(request: Request, server: PeerSource | null | undefined): ClientInfo {
  const resolve = (): ClientInfo => {
    let info = resolvedByRequest.get(request)
    if (info === undefined) {
      info = resolveClientInfo(request, server)
      resolvedByRequest.set(request, info)
    }
    return info
  }
  return {
    get ip() {
      return resolve().ip
    },
    get proto() {
      return resolve().proto
    },
    get host() {
      return resolve().host
    },
  }
}

function resolveClientInfo(request: Request, server: PeerSource | null | undefined): ClientInfo {
  const peer = server?.requestIP(request)?.address ?? 'unknown'
  const url = new URL(request.url)
  const direct: ClientInfo = {
    ip: peer,
    proto: url.protocol === 'https:' ? 'https' : 'http',
    host: (request.headers.get('host') ?? url.host).toLowerCase(),
  }
  if (!isTrustedProxyAddress(peer)) return direct
  const headers = request.headers
  const proto = firstValue(headers.get('x-forwarded-proto'))?.toLowerCase()
  const host = firstValue(headers.get('x-forwarded-host'))?.toLowerCase()
  return {
    ip: forwardedClientIp(headers.get('x-forwarded-for')) ?? peer,
    proto: proto === 'https' || proto === 'http' ? proto : direct.proto,
    host: host || direct.host,
  }
}

/**
 * The right-most X-Forwarded-For entry that is not loopback. Proxies append the peer they saw, so
 * entries to its left were written by the client and cannot be trusted.
 */
function forwardedClientIp(header: string | null): string | undefined {
  if (!header) return undefined
  const hops = header.split(',')
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim()
    if (hop && !isTrustedProxyAddress(hop)) return hop
  }
  return hops[0]?.trim() || undefined
}

function firstValue(header: string | null): string | undefined {
  if (!header) return undefined
  const comma = header.indexOf(',')
  return (comma === -1 ? header : header.slice(0, comma)).trim() || undefined
}
