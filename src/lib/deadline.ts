/**
 * Bounds how long a promise is waited for, for calls that take no AbortSignal (node:dns lookups).
 * The underlying work is not cancelled; only the wait ends.
 */

/** `promise`, or a rejection with "timed out after <ms> ms" once `ms` have passed. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}
