// Which addresses the SSRF guard lets through when private networks are off limits.
import { describe, expect, test } from 'bun:test'
import { isPublicAddress } from '../../../src/services/outbound/index.ts'

describe('address policy', () => {
  const blocked = [
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '192.0.2.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:192.168.0.1',
    '::127.0.0.1',
    '64:ff9b::a00:1',
    '2001:db8::1',
    '2002:7f00:1::1',
    '2001::1',
    '100::1',
    'not-an-ip',
  ]
  for (const ip of blocked) {
    test(`refuses ${ip}`, () => expect(isPublicAddress(ip)).toBe(false))
  }
  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2a00:1450:4001::1',
  ]
  for (const ip of allowed) {
    test(`allows ${ip}`, () => expect(isPublicAddress(ip)).toBe(true))
  }
})
