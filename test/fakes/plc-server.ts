/**
 * A PLC directory on 127.0.0.1 for tests. Operations are validated by the reference library
 * (@did-plc/lib: structure, signature, DID derivation, chain and recovery rules), so the fake
 * judges our operations the way the real directory would, independently of our own PLC code.
 *
 *   const plc = await startFakePlc()
 *   afterAll(() => plc.stop())
 *   new PlcClient(plc.url, safeFetch)
 *
 * Routes: POST /<did>, GET /<did> (document), /<did>/data, /<did>/log, /<did>/log/last,
 * /<did>/log/audit. Unknown DIDs answer 404, tombstoned ones 410, refused operations 400, each
 * with `{"message"}` as the directory does.
 */
import * as plcLib from '@did-plc/lib'

export interface FakePlcEntry {
  did: string
  operation: plcLib.CompatibleOpOrTombstone
  cid: string
  nullified: boolean
  createdAt: Date
}

/** The reference library wants its own CID objects in the log it checks against. */
interface StoredEntry extends FakePlcEntry {
  ref: plcLib.IndexedOperation['cid']
}

export interface FakePlc {
  /** http://127.0.0.1:<port> */
  url: string
  /** Every accepted operation per DID, in order, nullified ones included. */
  ops: Map<string, FakePlcEntry[]>
  stop(): Promise<void>
}

export async function startFakePlc(): Promise<FakePlc> {
  const ops = new Map<string, StoredEntry[]>()
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => route(ops, req),
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    ops,
    stop: () => server.stop(true),
  }
}

async function route(ops: Map<string, StoredEntry[]>, req: Request): Promise<Response> {
  const [, rawDid = '', ...rest] = new URL(req.url).pathname.split('/')
  const did = decodeURIComponent(rawDid)
  const path = rest.join('/')
  if (req.method === 'POST' && path === '') return submit(ops, did, req)
  if (req.method !== 'GET') return message(405, 'method not allowed')
  const all = ops.get(did) ?? []
  const active = all.filter((e) => !e.nullified)
  const last = active.at(-1)
  if (last === undefined) return message(404, `DID not registered: ${did}`)
  switch (path) {
    case 'log/audit':
      return Response.json(all.map(({ ref: _, ...e }) => ({ ...e, createdAt: e.createdAt.toISOString() })))
    case 'log/last':
      return Response.json(last.operation)
    case 'log':
      return Response.json(active.map((e) => e.operation))
  }
  const data = plcLib.opToData(did, last.operation)
  if (data === null) return message(410, `DID not available: ${did}`)
  if (path === 'data') return Response.json(data)
  if (path === '')
    return Response.json(didDocument(data), { headers: { 'content-type': 'application/did+ld+json' } })
  return message(404, 'not found')
}

async function submit(ops: Map<string, StoredEntry[]>, did: string, req: Request): Promise<Response> {
  let op: plcLib.CompatibleOpOrTombstone
  try {
    op = (await req.json()) as plcLib.CompatibleOpOrTombstone
  } catch {
    return message(400, 'body is not JSON')
  }
  const entries = ops.get(did) ?? []
  const indexed = entries.filter((e) => !e.nullified).map((e) => ({ ...e, cid: e.ref }))
  try {
    const { nullified } = await plcLib.assureValidNextOp(did, indexed, op)
    const dropped = new Set(nullified.map(String))
    for (const e of entries) if (dropped.has(e.cid)) e.nullified = true
    const { cid } = await plcLib.getLastOpWithCid([op])
    entries.push({
      did,
      operation: op,
      cid: cid.toString(),
      ref: cid,
      nullified: false,
      createdAt: new Date(),
    })
    ops.set(did, entries)
    return new Response(null, { status: 200 })
  } catch (err) {
    return message(400, err instanceof Error ? err.message : String(err))
  }
}

/** The document as the directory serves it today (Multikey methods), written independently of src/. */
function didDocument(data: plcLib.DocumentData) {
  const context = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1']
  const verificationMethod = Object.entries(data.verificationMethods).map(([id, key]) => {
    const multibase = key.replace(/^did:key:/, '')
    const suite = multibase.startsWith('zQ3s') ? 'secp256k1-2019' : 'ecdsa-2019'
    const suiteContext = `https://w3id.org/security/suites/${suite}/v1`
    if (!context.includes(suiteContext)) context.push(suiteContext)
    return { id: `${data.did}#${id}`, type: 'Multikey', controller: data.did, publicKeyMultibase: multibase }
  })
  const service = Object.entries(data.services).map(([id, s]) => ({
    id: `#${id}`,
    type: s.type,
    serviceEndpoint: s.endpoint,
  }))
  return { '@context': context, id: data.did, alsoKnownAs: data.alsoKnownAs, verificationMethod, service }
}

function message(status: number, text: string): Response {
  return Response.json({ message: text }, { status })
}
