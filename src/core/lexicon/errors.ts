/**
 * Lexicon errors. A LexiconDocError is a problem with a schema document (malformed, duplicate, or
 * a reference that does not resolve): a server bug or bad configuration. A
 * LexiconValidationError is a problem with data checked against a schema: a client error whose
 * message starts with the path of the offending value, e.g. `Record/text must not be longer
 * than 300 graphemes`.
 */
export class LexiconDocError extends Error {
  override name = 'LexiconDocError'
}

export class LexiconValidationError extends Error {
  override name = 'LexiconValidationError'
}
