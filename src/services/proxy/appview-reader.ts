/**
 * Calls the proxy makes to the operator's AppView on its own account: views of records embedded
 * in a fresh post, the parents of a fresh reply (read-after-write), and feed generator records
 * (getFeed). Queries go as the account (a service-auth token for that method); a failed call
 * answers undefined, and the caller renders what it can without it.
 */
import { ids } from '../../../lexicons/ids.ts'
import { decodeContent, readUpTo } from './body.ts'
import type { ProxyTarget } from './target.ts'
import type { UpstreamClient } from './upstream.ts'

export type SignServiceAuth = (iss: string, aud: string, lxm: string) => string

/** AppView answers read here are small views; anything larger is not what was asked for. */
const MAX_ANSWER_BYTES = 1024 * 1024

export class AppviewReader {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly target: ProxyTarget,
    private readonly sign: SignServiceAuth,
    private readonly userAgent: string,
  ) {}

  /** `nsid` (a query) with `params`, as the account `did`. */
  query(did: string, nsid: string, params: Record<string, string>): Promise<unknown> {
    return this.get(nsid, params, `Bearer ${this.sign(did, this.target.aud, nsid)}`)
  }

  /** The `value` of a record as the AppView has it (public data, no auth). */
  async record(uri: { repo: string; collection: string; rkey: string }): Promise<unknown> {
    const res = (await this.get(ids.ComAtprotoRepoGetRecord, uri, undefined)) as
      | { value?: unknown }
      | undefined
    return res?.value
  }

  private async get(nsid: string, params: Record<string, string>, authorization: string | undefined) {
    const headers = new Headers({ 'accept-encoding': 'identity', 'user-agent': this.userAgent })
    if (authorization !== undefined) headers.set('authorization', authorization)
    try {
      const res = await this.upstream.send({
        target: this.target,
        path: `/xrpc/${nsid}?${new URLSearchParams(params)}`,
        method: 'GET',
        headers,
        body: null,
      })
      if (res.status !== 200 || res.body === null) {
        await res.body?.cancel()
        return undefined
      }
      const read = await readUpTo(res.body, MAX_ANSWER_BYTES)
      if (!read.complete) {
        await read.stream.cancel()
        return undefined
      }
      const bytes = decodeContent(read.bytes, res.headers.get('content-encoding'), MAX_ANSWER_BYTES)
      return bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      return undefined
    }
  }
}
