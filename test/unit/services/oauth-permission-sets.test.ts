// include: scopes resolved from a fake lexicon host: DNS TXT injected, a fake PLC directory and a
// fake PDS on 127.0.0.1 serving com.atproto.sync.getRecord as a signed CAR. Resolution is
// verified (commit signature, MST path), cached, and fails as a clean invalid_scope.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { BlockMap } from '../../../src/core/block-reader.ts'
import { encodeCar } from '../../../src/core/car.ts'
import { encodeBlock } from '../../../src/core/cbor.ts'
import { Secp256k1Keypair } from '../../../src/core/crypto/keypair.ts'
import { jsonToLex } from '../../../src/core/data-model.ts'
import { Mst } from '../../../src/core/mst/index.ts'
import { OAuthError } from '../../../src/core/oauth/errors.ts'
import { encodeCommit, signCommit } from '../../../src/core/repo/commit.ts'
import { DidResolver } from '../../../src/services/identity/did-resolver.ts'
import { PermissionSetResolver } from '../../../src/services/oauth/permission-sets.ts'
import { ScopeCompiler } from '../../../src/services/oauth/scopes.ts'
import { createSafeFetch } from '../../../src/services/outbound/index.ts'

const PUBLISHER = 'did:plc:lexpublisherxxxxxxxxxxxx'
const SET_NSID = 'com.example.authBasic'
const AUD = 'did:web:api.example.com#svc_appview'

const SET = {
  $type: 'com.atproto.lexicon.schema',
  lexicon: 1,
  id: SET_NSID,
  defs: {
    main: {
      type: 'permission-set',
      title: 'Basic features',
      detail: 'Posts and the feed',
      permissions: [
        { type: 'permission', resource: 'repo', collection: ['com.example.post'] },
        { type: 'permission', resource: 'rpc', inheritAud: true, lxm: ['com.example.getFeed'] },
        { type: 'permission', resource: 'repo', collection: ['org.other.thing'] },
      ],
    },
  },
}

const signer = Secp256k1Keypair.create()
let server: ReturnType<typeof Bun.serve>
let requests = 0
let records: Record<string, unknown> = { [SET_NSID]: SET }
let carSigner = signer

/** A one-record-per-NSID repository CAR proving `nsid`, signed by `carSigner`. */
function recordCar(nsid: string): Uint8Array {
  const record = encodeBlock(jsonToLex(records[nsid]))
  const mst = Mst.create(new BlockMap()).add(`com.atproto.lexicon.schema/${nsid}`, record.cid)
  const commit = encodeCommit(
    signCommit(
      { did: PUBLISHER, version: 3, data: mst.rootCid(), rev: '3l7a2cdefgh22', prev: null },
      carSigner,
    ),
  )
  return encodeCar(commit.cid, [commit, ...mst.newBlocks().entries(), record])
}

function didDocument(port: number) {
  return {
    id: PUBLISHER,
    alsoKnownAs: [],
    verificationMethod: [
      {
        id: `${PUBLISHER}#atproto`,
        type: 'Multikey',
        controller: PUBLISHER,
        publicKeyMultibase: signer.did().slice('did:key:'.length),
      },
    ],
    service: [
      {
        id: '#atproto_pds',
        type: 'AtprotoPersonalDataServer',
        serviceEndpoint: `http://lexicons.test:${port}`,
      },
    ],
  }
}

beforeAll(() => {
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      requests++
      const url = new URL(req.url)
      if (decodeURIComponent(url.pathname) === `/${PUBLISHER}`)
        return Response.json(didDocument(server.port!))
      const rkey = url.searchParams.get('rkey') ?? ''
      if (url.pathname === '/xrpc/com.atproto.sync.getRecord' && records[rkey] !== undefined) {
        return new Response(recordCar(rkey), { headers: { 'content-type': 'application/vnd.ipld.car' } })
      }
      return Response.json({ error: 'RecordNotFound' }, { status: 400 })
    },
  })
})
afterAll(() => server.stop(true))

function compiler(txt: Record<string, string>) {
  const fetch = createSafeFetch({
    allowPrivate: true,
    timeoutMs: 5000,
    maxBytes: 1024 * 1024,
    userAgent: 'test',
    lookup: async (host) => (host === 'lexicons.test' ? ['127.0.0.1'] : []),
  })
  const dids = new DidResolver({ plcUrl: `http://127.0.0.1:${server.port}`, fetch })
  const resolveTxt = async (name: string) => {
    if (txt[name] === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })
    return [[txt[name]]]
  }
  return new ScopeCompiler(new PermissionSetResolver({ fetch, dids, resolveTxt }))
}

const TXT = { '_lexicon.example.com': `did=${PUBLISHER}` }

async function invalidScope(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).error).toBe('invalid_scope')
    return (err as OAuthError).description
  }
  throw new Error('resolved')
}

describe('include: permission sets', () => {
  test('resolve through DNS, the DID document and a verified record, then compile', async () => {
    const compiled = await compiler(TXT).compile(
      `atproto include:${SET_NSID}?aud=did:web:api.example.com%23svc_appview`,
    )
    expect(compiled.permissions).toBe(
      `atproto repo:com.example.post rpc:com.example.getFeed?aud=${AUD.replace('#', '%23')}`,
    )
    expect(compiled.sets[0]).toMatchObject({ title: 'Basic features', detail: 'Posts and the feed' })
  })

  test('are cached: a second compile does not go back to the network', async () => {
    const scopes = compiler(TXT)
    await scopes.compile(`atproto include:${SET_NSID}`)
    const before = requests
    await scopes.compile(`atproto include:${SET_NSID}`)
    expect(requests).toBe(before)
  })

  test('fail cleanly when no _lexicon TXT record names the publisher', async () => {
    expect(await invalidScope(() => compiler({}).compile(`atproto include:${SET_NSID}`))).toContain(
      '_lexicon.example.com',
    )
  })

  test('fail cleanly when the publisher has no such record', async () => {
    expect(
      await invalidScope(() => compiler(TXT).compile('atproto include:com.example.authMissing')),
    ).toContain('com.example.authMissing')
  })

  test('refuse a record whose commit is not signed by the publisher key', async () => {
    carSigner = Secp256k1Keypair.create()
    try {
      expect(await invalidScope(() => compiler(TXT).compile(`atproto include:${SET_NSID}`))).toContain(
        'signature',
      )
    } finally {
      carSigner = signer
    }
  })

  test('refuse a lexicon that is not a permission set', async () => {
    records = {
      ...records,
      'com.example.record': {
        $type: 'com.atproto.lexicon.schema',
        lexicon: 1,
        id: 'com.example.record',
        defs: { main: { type: 'token' } },
      },
    }
    expect(await invalidScope(() => compiler(TXT).compile('atproto include:com.example.record'))).toContain(
      'not a permission set',
    )
  })
})
