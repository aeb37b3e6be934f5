/**
 * `/users/<id>/did.json`: the DID documents of did:web accounts
 * (`did:web:<hostname>:users:<id>`, see services/accounts/did-web.ts). Unknown ids are 404.
 */
import type { AppContext } from '../services/context.ts'
import { NotFoundError } from '../services/errors.ts'

export function accountDidJsonResponse(ctx: AppContext, id: string): Response {
  const doc = ctx.accounts.didWebDocument(id)
  if (doc === undefined) throw new NotFoundError('DID document not found')
  return Response.json(doc)
}
