/** A Lexicon validator that interprets the lexicon documents directly. */
export { loadBuiltinLexicons } from './builtin.ts'
export { LexiconDocError, LexiconValidationError } from './errors.ts'
export { Lexicons, type LexMethodInfo, type RecordValidationResult } from './registry.ts'
export { isValidRef, parseLexiconDoc } from './schema.ts'
export { graphemeLength, utf8Length } from './string-length.ts'
export type * from './types.ts'
export type { QueryParams } from './validate-xrpc.ts'
