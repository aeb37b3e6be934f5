/**
 * Which peers may set X-Forwarded-For / X-Forwarded-Proto. Deliberately a constant rather than a
 * config key: the supported deployments (ops/caddy, ops/nginx) run the reverse proxy on the same
 * host and reach perlsky over loopback, so only loopback peers are trusted. Anything else could
 * forge its client address into rate limits and logs.
 */

export const TRUST_PROXY = 'loopback'

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.x.x). */
export function isTrustedProxyAddress(address: string): boolean {
  const addr = address.toLowerCase()
  if (addr === '::1' || addr === '0:0:0:0:0:0:0:1') return true
  const v4 = addr.startsWith('::ffff:') ? addr.slice('::ffff:'.length) : addr
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}
