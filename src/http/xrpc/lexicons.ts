/**
 * What XRPC dispatch needs from the lexicon catalogue (core/lexicon's `Lexicons` provides it),
 * and the translation of its validation errors into XRPC errors: a bad request is the client's
 * fault (400), a bad response is ours (500, detail logged, never sent).
 */
import { DataModelError } from '../../core/data-model.ts'
import { LexiconValidationError } from '../../core/lexicon/errors.ts'
import { InternalServerError, InvalidRequestError } from '../../services/errors.ts'

export interface XrpcLexicons {
  getMethod(nsid: string): { type: 'query' | 'procedure' | 'subscription' } | undefined
  validateParams(nsid: string, query: Record<string, string | string[]>): Record<string, unknown>
  validateInput(nsid: string, body: unknown): unknown
  validateOutput(nsid: string, body: unknown): unknown
  /** The lexicon's input encoding ("application/json", "*\/*", …); undefined when it takes none. */
  getInputEncoding(nsid: string): string | undefined
  getOutputEncoding(nsid: string): string | undefined
}

/** Runs a check of client data: its validation errors become InvalidRequest. */
export function asInvalidRequest<T>(validate: () => T): T {
  try {
    return validate()
  } catch (err) {
    if (err instanceof LexiconValidationError || err instanceof DataModelError) {
      throw new InvalidRequestError(err.message, 'InvalidRequest', { cause: err })
    }
    throw err
  }
}

/** Runs a check of our own output: its validation errors become InternalServerError. */
export function asInvalidResponse<T>(validate: () => T): T {
  try {
    return validate()
  } catch (err) {
    if (err instanceof LexiconValidationError) {
      throw new InternalServerError(`Invalid response: ${err.message}`, undefined, { cause: err })
    }
    throw err
  }
}
