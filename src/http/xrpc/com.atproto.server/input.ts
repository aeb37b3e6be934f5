/** Reading the lexicon-validated JSON body of a procedure. */
import { InvalidRequestError } from '../../../services/errors.ts'
import type { XrpcInput } from '../types.ts'

/**
 * The body, typed as the method's lexicon input. route.ts has already validated it against the
 * lexicon, so the cast only names what the validator checked.
 */
export function jsonInput<T>(input: XrpcInput | undefined): T {
  if (input?.kind !== 'json') throw new InvalidRequestError('A JSON request body is required')
  return input.body as T
}

export function json(body: unknown) {
  return { encoding: 'application/json' as const, body }
}
