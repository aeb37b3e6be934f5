/**
 * Where a proxied call goes (spec: xrpc "Service Proxying"). An `atproto-proxy: <did>#<service
 * id>` header names the service; its DID document's service entry gives the URL. Without the
 * header, the operator's services take the call by NSID: `app.bsky.*` the AppView, `chat.bsky.*`
 * the chat service, createReport the moderation (report) service; anything else has no target.
 * A header naming one of those configured services goes to the configured URL without a DID
 * lookup, as the reference does for its AppView.
 * Service-auth audience, as the reference: `<did>#<id>` when the client named the service, the
 * bare DID for the defaults. OAuth `rpc:` permissions are always checked against `<did>#<id>`.
 */
import { ids } from '../../../lexicons/ids.ts'
import { isValidDid } from '../../core/syntax/did.ts'
import { InvalidRequestError } from '../errors.ts'
import { type DidResolver, getServiceEndpoint } from '../identity/index.ts'

export interface ProxyTarget {
  did: string
  /** The service endpoint the XRPC path is resolved against. */
  url: string
  /** The `aud` of the service-auth token. */
  aud: string
  /** `<did>#<service id>`: what OAuth `rpc:` permissions name. */
  serviceRef: string
  /** Configured by the operator: no SSRF guard, loopback allowed. */
  trusted: boolean
  /** Short name for logs and stats: appview, chat, report, or the service reference. */
  name: string
}

export interface ConfiguredService {
  url: string
  did: string
}

export interface ConfiguredServices {
  appview: ConfiguredService
  chat: ConfiguredService
  report: ConfiguredService
}

/** The service ids of the well-known service entries. */
export const SERVICE_IDS = {
  appview: 'bsky_appview',
  chat: 'bsky_chat',
  report: 'atproto_labeler',
  notifications: 'bsky_notif',
} as const

type ConfiguredName = keyof ConfiguredServices

export interface TargetResolverOptions {
  services: ConfiguredServices
  dids: Pick<DidResolver, 'resolve'>
  /** This server's DID: a header naming it would send the call back here, round and round. */
  selfDid: string
}

export class TargetResolver {
  constructor(private readonly opts: TargetResolverOptions) {}

  /** The target named by an atproto-proxy header; 400 when it is malformed or unusable. */
  async fromHeader(header: string): Promise<ProxyTarget> {
    const { did, serviceId } = parseProxyHeader(header)
    return this.service(did, serviceId, `${did}#${serviceId}`)
  }

  /** The operator's service for `nsid`, or undefined when none takes it. */
  byNsid(nsid: string): ProxyTarget | undefined {
    if (nsid === ids.ComAtprotoModerationCreateReport) return this.configured('report')
    if (nsid.startsWith('app.bsky.')) return this.configured('appview')
    if (nsid.startsWith('chat.bsky.')) return this.configured('chat')
    return undefined
  }

  /** The operator's AppView (for calls the proxy makes itself). */
  appview(): ProxyTarget {
    return this.configured('appview')
  }

  /**
   * The service `<did>#<serviceId>`, with the bare DID as token audience (registerPush names
   * its service by DID alone).
   */
  byDid(did: string, serviceId: string): Promise<ProxyTarget> {
    if (!isValidDid(did)) throw new InvalidRequestError('Invalid service DID')
    return this.service(did, serviceId, did)
  }

  private async service(did: string, serviceId: string, aud: string): Promise<ProxyTarget> {
    if (did === this.opts.selfDid) throw new InvalidRequestError('cannot proxy a request to this server')
    const serviceRef = `${did}#${serviceId}`
    const known = this.knownService(did, serviceId)
    if (known !== undefined) return { ...known, aud, serviceRef }
    let doc: Awaited<ReturnType<DidResolver['resolve']>>
    try {
      doc = await this.opts.dids.resolve(did)
    } catch (err) {
      throw new InvalidRequestError('could not resolve proxy did', 'InvalidRequest', { cause: err })
    }
    if (doc === null) throw new InvalidRequestError('could not resolve proxy did')
    const url = getServiceEndpoint(doc, `#${serviceId}`)
    if (url === undefined) throw new InvalidRequestError('could not resolve proxy did service url')
    return { did, url, aud, serviceRef, trusted: false, name: serviceRef }
  }

  private knownService(did: string, serviceId: string): ProxyTarget | undefined {
    for (const name of Object.keys(SERVICE_IDS) as (keyof typeof SERVICE_IDS)[]) {
      if (name === 'notifications') continue
      const service = this.opts.services[name]
      if (service.did === did && SERVICE_IDS[name] === serviceId) return this.configured(name)
    }
    // Push registrations addressed to the AppView go to the AppView (its notification service).
    if (serviceId === SERVICE_IDS.notifications && did === this.opts.services.appview.did) {
      return this.configured('appview')
    }
    return undefined
  }

  private configured(name: ConfiguredName): ProxyTarget {
    const { url, did } = this.opts.services[name]
    return { did, url, aud: did, serviceRef: `${did}#${SERVICE_IDS[name]}`, trusted: true, name }
  }
}

/** `<did>#<service id>`, checked as the reference does, plus DID syntax. */
export function parseProxyHeader(header: string): { did: string; serviceId: string } {
  const hash = header.indexOf('#')
  if (hash === 0) throw new InvalidRequestError('no did specified in proxy header')
  if (hash === -1 || hash === header.length - 1) {
    throw new InvalidRequestError('no service id specified in proxy header')
  }
  if (header.indexOf('#', hash + 1) !== -1) throw new InvalidRequestError('invalid proxy header format')
  if (header.includes(' ')) throw new InvalidRequestError('proxy header cannot contain spaces')
  const did = header.slice(0, hash)
  if (!isValidDid(did)) throw new InvalidRequestError('invalid did in proxy header')
  return { did, serviceId: header.slice(hash + 1) }
}
