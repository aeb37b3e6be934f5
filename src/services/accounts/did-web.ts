/**
 * did:web identities for accounts (`account_did_method: did:web`): `did:web:<hostname>:users:<id>`
 * with the port of base_url as `%3A<port>` (did:web reserves `:` as the path separator), whose
 * document this server serves at `/users/<id>/did.json`. The id is random and never changes, so
 * the DID survives handle changes.
 */
import { randomBytes } from 'node:crypto'
import { docFromData, type PlcDidDocument } from '../../core/plc/document.ts'
import { ATPROTO_KEY_ID, ATPROTO_PDS_SERVICE, ATPROTO_PDS_TYPE } from '../../core/plc/types.ts'
import { type ServerInfoConfig, serviceDid } from '../server-info.ts'

const USERS_SEGMENT = ':users:'
const ID_PATTERN = /^[a-z2-7]{16}$/
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

export type DidDocument = PlcDidDocument

type HostConfig = Pick<ServerInfoConfig, 'base_url' | 'hostname'>

/** A fresh account id: 16 lower-case base32 characters (80 random bits). */
export function newAccountId(): string {
  const bytes = randomBytes(16)
  let id = ''
  for (const b of bytes) id += BASE32[b & 31]
  return id
}

export function accountDidWeb(config: HostConfig, id: string): string {
  return serviceDid(config) + USERS_SEGMENT + id
}

/** The id of one of our did:web accounts, or undefined when `did` is not one. */
export function accountIdOf(config: HostConfig, did: string): string | undefined {
  const prefix = serviceDid(config) + USERS_SEGMENT
  if (!did.startsWith(prefix)) return undefined
  const id = did.slice(prefix.length)
  return ID_PATTERN.test(id) ? id : undefined
}

export function isAccountIdSyntax(id: string): boolean {
  return ID_PATTERN.test(id)
}

/** The DID document of an account whose identity this server publishes or created. */
export function accountDidDocument(
  did: string,
  handle: string,
  signingDidKey: string,
  pdsEndpoint: string,
): DidDocument {
  return docFromData({
    did,
    rotationKeys: [],
    verificationMethods: { [ATPROTO_KEY_ID]: signingDidKey },
    alsoKnownAs: [`at://${handle}`],
    services: { [ATPROTO_PDS_SERVICE]: { type: ATPROTO_PDS_TYPE, endpoint: pdsEndpoint } },
  })
}
