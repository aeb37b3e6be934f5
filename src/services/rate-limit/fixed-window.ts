/**
 * Fixed-window counters, kept as the reference PDS's in-memory limiter (rate-limiter-flexible's
 * RateLimiterMemory) keeps them: a key's window opens with its first point and closes
 * `durationMs` later whatever happens in between, and points consumed past the limit still
 * count, so a client that keeps going stays refused until its window closes, never longer.
 *
 * In memory only: a restart forgets every window, which a single-process server can accept.
 * Every window of one store has the same length and a reopened window is re-inserted, so the
 * Map's insertion order is also expiry order: expired windows are always a prefix of it and are
 * dropped as new keys arrive. Past `maxKeys` live windows the oldest tenth is dropped, which
 * bounds memory when someone mints keys faster than windows expire.
 */

export interface WindowState {
  /** Points consumed in the current window, including any past the limit. */
  consumed: number
  /** When the window closes (ms since the epoch). */
  resetAt: number
}

export const DEFAULT_MAX_KEYS = 20_000

export class FixedWindows {
  private readonly windows = new Map<string, WindowState>()

  constructor(
    readonly durationMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /** Adds `points` to the key's window (opening one when needed) and returns the window. */
  consume(key: string, points: number): WindowState {
    const now = this.now()
    let window = this.windows.get(key)
    if (window === undefined || window.resetAt <= now) {
      this.windows.delete(key)
      this.dropExpired(now)
      if (this.windows.size >= this.maxKeys) this.dropOldest()
      window = { consumed: 0, resetAt: now + this.durationMs }
      this.windows.set(key, window)
    }
    window.consumed += points
    return window
  }

  /** The key's open window, if it has one. */
  peek(key: string): WindowState | undefined {
    const window = this.windows.get(key)
    return window !== undefined && window.resetAt > this.now() ? window : undefined
  }

  /** Forgets the key's window (a successful login clears its failures). */
  reset(key: string): void {
    this.windows.delete(key)
  }

  /** Open windows held (expired ones may still be counted until the next new key). */
  get size(): number {
    return this.windows.size
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt > now) return
      this.windows.delete(key)
    }
  }

  private dropOldest(): void {
    let drop = Math.ceil(this.maxKeys / 10)
    for (const key of this.windows.keys()) {
      if (drop-- <= 0) return
      this.windows.delete(key)
    }
  }
}
