/**
 * Which IP addresses an outbound request may reach when private networks are off limits: public
 * unicast only. IPv4 uses a deny list of the special-purpose registry (RFC 6890 and successors);
 * IPv6 allows only global unicast (2000::/3) minus its special blocks, and judges the IPv4 inside
 * IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) addresses by the IPv4 rules, so
 * `::ffff:127.0.0.1` is loopback.
 */
import { isIPv4, isIPv6 } from 'node:net'

type Cidr4 = readonly [number, number]
type Cidr6 = readonly [readonly number[], number]

const DENIED_V4: readonly Cidr4[] = [
  [v4(0, 0, 0, 0), 8], // "this network", unspecified
  [v4(10, 0, 0, 0), 8], // private
  [v4(100, 64, 0, 0), 10], // carrier-grade NAT
  [v4(127, 0, 0, 0), 8], // loopback
  [v4(169, 254, 0, 0), 16], // link-local (cloud metadata endpoints live here)
  [v4(172, 16, 0, 0), 12], // private
  [v4(192, 0, 0, 0), 24], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24], // documentation
  [v4(192, 88, 99, 0), 24], // 6to4 relay anycast
  [v4(192, 168, 0, 0), 16], // private
  [v4(198, 18, 0, 0), 15], // benchmarking
  [v4(198, 51, 100, 0), 24], // documentation
  [v4(203, 0, 113, 0), 24], // documentation
  [v4(224, 0, 0, 0), 4], // multicast
  [v4(240, 0, 0, 0), 4], // reserved, broadcast
]

const GLOBAL_UNICAST_V6: Cidr6 = [[0x2000], 3]
const DENIED_V6: readonly Cidr6[] = [
  [[0x2001, 0x0000], 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking)
  [[0x2001, 0x0db8], 32], // documentation
  [[0x2002], 16], // 6to4
  [[0x3fff, 0x0000], 20], // documentation
]
const MAPPED_V4: Cidr6 = [[0, 0, 0, 0, 0, 0xffff], 96]
const NAT64_V4: Cidr6 = [[0x64, 0xff9b, 0, 0, 0, 0], 96]

/** True for an IPv4 or IPv6 address outside every private, local and special-purpose range. */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (isIPv4(ip)) return isPublicV4(parseV4(ip))
  if (isIPv6(ip)) return isPublicV6(parseV6(ip))
  return false
}

/** A host name as it appears in a URL (`[::1]` for IPv6) that is an IP literal. */
export function isIpLiteral(hostname: string): boolean {
  return isIPv4(hostname) || isIPv6(hostname.replace(/^\[(.*)\]$/, '$1'))
}

function isPublicV4(ip: number): boolean {
  return !DENIED_V4.some(([base, bits]) => (ip ^ base) >>> (32 - bits) === 0)
}

function isPublicV6(groups: number[]): boolean {
  if (inPrefix(groups, MAPPED_V4) || inPrefix(groups, NAT64_V4)) {
    return isPublicV4((((groups[6] ?? 0) << 16) | (groups[7] ?? 0)) >>> 0)
  }
  return inPrefix(groups, GLOBAL_UNICAST_V6) && !DENIED_V6.some((cidr) => inPrefix(groups, cidr))
}

function inPrefix(groups: number[], [prefix, bits]: Cidr6): boolean {
  for (let i = 0; i * 16 < bits; i++) {
    const take = Math.min(16, bits - i * 16)
    const mask = (0xffff << (16 - take)) & 0xffff
    if (((groups[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
}

function parseV4(ip: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number)
  return v4(a, b, c, d)
}

/** Eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail split in two). */
function parseV6(ip: string): number[] {
  let text = ip
  const tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  const last = text.slice(lastColon + 1)
  if (last.includes('.')) {
    const value = parseV4(last)
    tail.push(value >>> 16, value & 0xffff)
    text = text.slice(0, lastColon + 1)
    if (!text.endsWith('::')) text = text.slice(0, -1) // drop the separator, keep a `::`
  }
  const halves = text.split('::')
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const left = groups(halves[0])
  const right = [...groups(halves[1]), ...tail]
  const fill = halves.length === 2 ? new Array<number>(8 - left.length - right.length).fill(0) : []
  return [...left, ...fill, ...right]
}
