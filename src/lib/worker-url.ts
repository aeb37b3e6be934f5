/**
 * Where a worker's entry point is, given its path under src/. A compiled binary keeps each entry
 * point (build.ts) at that path inside its embedded file system, whose root holds the chunks of
 * everything else, this module included; from source it is a file beside the others.
 */
export function workerEntryUrl(pathUnderSrc: string): string {
  const embedded = import.meta.url.startsWith('file:///$bunfs/')
  return new URL(`${embedded ? './' : '../'}${pathUnderSrc}`, import.meta.url).href
}
