/**
 * The lexicons vendored in lexicons/ (com.atproto, app.bsky, chat.bsky), imported statically so
 * the compiled binary carries them and nothing is read from disk at run time. They are loaded
 * without the document check, which was most of the server's startup time: the check runs once,
 * in test/unit/core/lexicon-builtin.test.ts, and the vendored files change only through
 * scripts/refresh-lexicons.ts.
 */
import { LEXICON_DOCUMENTS } from '../../../lexicons/index.ts'
import { Lexicons } from './registry.ts'
import type { LexiconDoc } from './types.ts'

/** Builds a registry of every vendored document; call once at startup and share it. */
export function loadBuiltinLexicons(): Lexicons {
  return Lexicons.fromTrusted(LEXICON_DOCUMENTS as readonly LexiconDoc[])
}
