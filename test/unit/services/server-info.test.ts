import { describe, expect, test } from 'bun:test'
import { describeServer, serviceDid, serviceDidDocument } from '../../../src/services/server-info.ts'

const base = {
  base_url: 'https://pds.example.com',
  hostname: 'pds.example.com',
  service_handle_domain: 'pds.example.com',
  invite_code_required: true,
  blob_upload_limit: 5_000_000,
}

describe('serviceDid', () => {
  const cases: [string, string, string][] = [
    ['https://pds.example.com', 'pds.example.com', 'did:web:pds.example.com'],
    ['http://localhost:2583', 'localhost', 'did:web:localhost%3A2583'],
    ['https://pds.example.com:8443', 'pds.example.com', 'did:web:pds.example.com%3A8443'],
    // The default port is not part of the URL's port, so it is not encoded either.
    ['https://pds.example.com:443', 'pds.example.com', 'did:web:pds.example.com'],
  ]
  for (const [base_url, hostname, did] of cases) {
    test(`${base_url} with hostname ${hostname} is ${did}`, () => {
      expect(serviceDid({ base_url, hostname })).toBe(did)
    })
  }
})

describe('serviceDidDocument', () => {
  test('names the PDS service endpoint', () => {
    expect(serviceDidDocument({ base_url: 'http://localhost:2583', hostname: 'localhost' })).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: 'did:web:localhost%3A2583',
      service: [
        { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'http://localhost:2583' },
      ],
    })
  })
})

describe('describeServer', () => {
  test('omits links and contact when they are not configured', () => {
    expect(describeServer(base)).toEqual({
      did: 'did:web:pds.example.com',
      availableUserDomains: ['.pds.example.com'],
      inviteCodeRequired: true,
      phoneVerificationRequired: false,
      blobUploadLimit: 5_000_000,
    })
  })

  test('includes only the configured links and the contact address', () => {
    const out = describeServer({
      ...base,
      privacy_policy_url: 'https://example.com/privacy',
      contact_email_address: 'admin@example.com',
    })
    expect(out.links).toEqual({ privacyPolicy: 'https://example.com/privacy' })
    expect(out.contact).toEqual({ email: 'admin@example.com' })
  })
})
