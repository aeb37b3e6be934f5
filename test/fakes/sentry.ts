/**
 * A Sentry ingestion endpoint on 127.0.0.1 for tests: accepts envelopes at
 * `/api/<project>/envelope/`, parses them (newline-separated JSON headers, items whose payload
 * length may be given in their header, optionally gzip-compressed) and keeps them.
 *
 *   const sentry = startFakeSentry()
 *   config.sentry_dsn = sentry.dsn        // http://<key>@127.0.0.1:<port>/1
 *   ...
 *   sentry.events()                       // the `event` items received so far
 */

export interface EnvelopeItem {
  header: Record<string, unknown>
  payload: unknown
}

export interface Envelope {
  header: Record<string, unknown>
  items: EnvelopeItem[]
  /** The project id from the path, and the key from the query or X-Sentry-Auth. */
  project: string
  key: string | undefined
}

export interface FakeSentry {
  readonly dsn: string
  readonly envelopes: Envelope[]
  /** The payloads of every `event` item received so far. */
  events(): Record<string, unknown>[]
  stop(): void
}

export const FAKE_SENTRY_KEY = 'fakesentrypublickey'
const ENVELOPE_PATH = /^\/api\/(\d+)\/envelope\/?$/

export function startFakeSentry(): FakeSentry {
  const envelopes: Envelope[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const project = ENVELOPE_PATH.exec(url.pathname)?.[1]
      if (request.method !== 'POST' || project === undefined)
        return new Response('not found', { status: 404 })
      let body = new Uint8Array(await request.arrayBuffer())
      if (request.headers.get('content-encoding') === 'gzip') body = Bun.gunzipSync(body)
      const key = url.searchParams.get('sentry_key') ?? authKey(request.headers.get('x-sentry-auth'))
      envelopes.push({ ...parseEnvelope(body), project, key })
      return Response.json({ id: 'ok' })
    },
  })
  return {
    dsn: `http://${FAKE_SENTRY_KEY}@127.0.0.1:${server.port}/1`,
    envelopes,
    events: () =>
      envelopes.flatMap((e) =>
        e.items.filter((i) => i.header.type === 'event').map((i) => i.payload as Record<string, unknown>),
      ),
    stop: () => server.stop(true),
  }
}

/** Sentry envelope format: a header line, then per item a header line and its payload. */
export function parseEnvelope(bytes: Uint8Array): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  const decoder = new TextDecoder()
  let at = 0
  const line = (): Uint8Array => {
    const end = bytes.indexOf(0x0a, at)
    const slice = bytes.subarray(at, end === -1 ? bytes.length : end)
    at = end === -1 ? bytes.length : end + 1
    return slice
  }
  const json = (b: Uint8Array) => JSON.parse(decoder.decode(b)) as Record<string, unknown>
  const header = json(line())
  const items: EnvelopeItem[] = []
  while (at < bytes.length) {
    const itemLine = line()
    if (itemLine.length === 0) continue
    const itemHeader = json(itemLine)
    let payload: Uint8Array
    if (typeof itemHeader.length === 'number') {
      payload = bytes.subarray(at, at + itemHeader.length)
      at += itemHeader.length + 1
    } else {
      payload = line()
    }
    const text = decoder.decode(payload)
    items.push({ header: itemHeader, payload: isJson(text) ? JSON.parse(text) : text })
  }
  return { header, items }
}

function isJson(text: string): boolean {
  const first = text.trimStart()[0]
  return first === '{' || first === '['
}

function authKey(header: string | null): string | undefined {
  return header?.match(/sentry_key=([^,\s]+)/)?.[1]
}
