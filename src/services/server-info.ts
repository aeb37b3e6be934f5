/**
 * What the server says about itself, derived from config alone: its service DID (did:web of the
 * public hostname), the DID document served at /.well-known/did.json, and the
 * com.atproto.server.describeServer answer.
 */
import { stripTrailingSlash } from '../config/syntax.ts'

export interface ServerInfoConfig {
  readonly base_url: string
  readonly hostname: string
  readonly service_handle_domain: string
  readonly invite_code_required: boolean
  readonly blob_upload_limit: number
  readonly contact_email_address?: string | undefined
  readonly privacy_policy_url?: string | undefined
  readonly terms_of_service_url?: string | undefined
}

export interface ServiceDidDocument {
  '@context': string[]
  id: string
  service: { id: string; type: string; serviceEndpoint: string }[]
}

export interface DescribeServerOutput {
  did: string
  availableUserDomains: string[]
  inviteCodeRequired: boolean
  phoneVerificationRequired: boolean
  blobUploadLimit: number
  links?: { privacyPolicy?: string; termsOfService?: string }
  contact?: { email: string }
}

/**
 * `did:web:<hostname>`, with the port of base_url when it has one. did:web encodes the port's
 * colon as %3A (`did:web:localhost%3A2583`) because a bare colon separates path segments.
 */
export function serviceDid(config: Pick<ServerInfoConfig, 'base_url' | 'hostname'>): string {
  const port = new URL(config.base_url).port
  return `did:web:${config.hostname}${port ? `%3A${port}` : ''}`
}

export function serviceDidDocument(
  config: Pick<ServerInfoConfig, 'base_url' | 'hostname'>,
): ServiceDidDocument {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: serviceDid(config),
    service: [
      {
        id: '#atproto_pds',
        type: 'AtprotoPersonalDataServer',
        serviceEndpoint: stripTrailingSlash(config.base_url),
      },
    ],
  }
}

export function describeServer(config: ServerInfoConfig): DescribeServerOutput {
  const output: DescribeServerOutput = {
    did: serviceDid(config),
    availableUserDomains: [`.${config.service_handle_domain}`],
    inviteCodeRequired: config.invite_code_required,
    phoneVerificationRequired: false,
    blobUploadLimit: config.blob_upload_limit,
  }
  const links = {
    ...(config.privacy_policy_url ? { privacyPolicy: config.privacy_policy_url } : {}),
    ...(config.terms_of_service_url ? { termsOfService: config.terms_of_service_url } : {}),
  }
  if (Object.keys(links).length > 0) output.links = links
  if (config.contact_email_address) output.contact = { email: config.contact_email_address }
  return output
}
