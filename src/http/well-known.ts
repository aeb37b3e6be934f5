/** Documents under /.well-known/: the service's did:web DID document. */
import type { Config } from '../config/schema.ts'
import { serviceDidDocument } from '../services/server-info.ts'

export function didJsonResponse(config: Config): Response {
  return Response.json(serviceDidDocument(config))
}
