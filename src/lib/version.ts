/**
 * The running version. `build.ts` defines PERLSKY_VERSION (package version + git short sha) for the
 * compiled binary; running from source falls back to package.json's version.
 */
import { version as packageVersion } from '../../package.json'

declare const PERLSKY_VERSION: string | undefined

/** True in the compiled binary, false when running from source (`bun run src/main.ts`). */
export const IS_COMPILED_BUILD = typeof PERLSKY_VERSION === 'string'

export const VERSION: string = typeof PERLSKY_VERSION === 'string' ? PERLSKY_VERSION : packageVersion
