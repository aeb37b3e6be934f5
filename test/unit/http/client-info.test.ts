import { describe, expect, test } from 'bun:test'
import { clientInfo, type PeerSource } from '../../../src/http/client-info.ts'

const peer = (address: string): PeerSource => ({ requestIP: () => ({ address }) })

const FORWARDED = {
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'PDS.Example.com',
}

function request(headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1:7755/xrpc/x.y.z?a=1', {
    headers: { host: '127.0.0.1:7755', ...headers },
  })
}

describe('clientInfo', () => {
  const trusted = ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']
  for (const address of trusted) {
    test(`honours X-Forwarded-* from loopback peer ${address}`, () => {
      expect(clientInfo(request(FORWARDED), peer(address))).toEqual({
        ip: '203.0.113.9',
        proto: 'https',
        host: 'pds.example.com',
      })
    })
  }

  const untrusted = ['203.0.113.50', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '128.0.0.1']
  for (const address of untrusted) {
    test(`ignores X-Forwarded-* from non-loopback peer ${address}`, () => {
      expect(clientInfo(request(FORWARDED), peer(address))).toEqual({
        ip: address,
        proto: 'http',
        host: '127.0.0.1:7755',
      })
    })
  }

  test('takes the right-most non-loopback X-Forwarded-For hop (left ones are client-written)', () => {
    const info = clientInfo(
      request({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 127.0.0.1' }),
      peer('127.0.0.1'),
    )
    expect(info.ip).toBe('198.51.100.7')
  })

  test('falls back to the peer when a loopback proxy sends no forwarding headers', () => {
    expect(clientInfo(request(), peer('127.0.0.1'))).toEqual({
      ip: '127.0.0.1',
      proto: 'http',
      host: '127.0.0.1:7755',
    })
  })

  test('ignores an X-Forwarded-Proto that is neither http nor https', () => {
    expect(clientInfo(request({ 'x-forwarded-proto': 'gopher' }), peer('::1')).proto).toBe('http')
  })

  test('uses the first value of a multi-valued X-Forwarded-Proto / -Host', () => {
    const info = clientInfo(
      request({ 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'a.example, b.example' }),
      peer('127.0.0.1'),
    )
    expect(info).toMatchObject({ proto: 'https', host: 'a.example' })
  })

  test("reports 'unknown' when the socket is gone", () => {
    expect(clientInfo(request(FORWARDED), { requestIP: () => null }).ip).toBe('unknown')
    expect(clientInfo(request(FORWARDED), null).proto).toBe('http')
  })
})
