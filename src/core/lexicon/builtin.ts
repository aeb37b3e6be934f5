/**
 * The lexicons vendored in lexicons/ (com.atproto, app.bsky, chat.bsky), imported statically so
 * the compiled binary carries them and nothing is read from disk at run time.
 */
import { LEXICON_DOCUMENTS } from '../../../lexicons/index.ts'
import { Lexicons } from './registry.ts'

/** Builds a registry of every vendored document; call once at startup and share it. */
export function loadBuiltinLexicons(): Lexicons {
  return new Lexicons(LEXICON_DOCUMENTS)
}
