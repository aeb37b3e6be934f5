/**
 * What the firehose needs of a subscriber's WebSocket. The HTTP layer adapts Bun's
 * ServerWebSocket to it; test/unit/services/firehose-hub.test.ts uses an in-memory one. `send` follows Bun: the number of bytes
 * written, -1 when the frame was queued behind earlier ones (backpressure), 0 when it was dropped
 * (the socket is closed, or over Bun's own backpressure limit).
 */
export interface FirehoseSocket {
  send(frame: Uint8Array): number
  /** Bytes queued for this socket and not yet written to the network. */
  bufferedAmount(): number
  /** Batches several sends into one write. */
  cork(fn: () => void): void
  /** Closes cleanly: queued frames first, then the close frame. */
  close(code: number, reason: string): void
  /** Drops the connection at once. */
  terminate(): void
}

/** WebSocket close codes (RFC 6455 §7.4.1). */
export const CLOSE_NORMAL = 1000
export const CLOSE_GOING_AWAY = 1001
/** What the reference uses when it ends a stream after an error frame. */
export const CLOSE_POLICY = 1008
