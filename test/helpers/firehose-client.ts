/**
 * A minimal subscribeRepos client for tests, on Bun's WebSocket: it decodes every frame with our
 * decoder (which rejects broken framing) and keeps the raw body bytes, so a test can hand a
 * `#commit` body to @atproto/repo as it came off the wire.
 *
 *   const sub = await subscribe(h, { cursor: 0 })
 *   const frames = await sub.take(5)
 *   sub.close()
 */
import { decodeCborFirst } from '../../src/core/cbor.ts'
import { type DecodedFrame, decodeFrame } from '../../src/core/firehose/frames.ts'

export interface WireFrame extends DecodedFrame {
  /** The encoded body, exactly as received. */
  bodyBytes: Uint8Array
}

export interface Closed {
  code: number
  reason: string
}

export class FirehoseClient {
  readonly frames: WireFrame[] = []
  readonly closed: Promise<Closed>
  private waiter: (() => void) | undefined

  constructor(private readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer'
    ws.onmessage = (event) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer)
      this.frames.push({ ...decodeFrame(bytes), bodyBytes: decodeCborFirst(bytes)[1] })
      this.waiter?.()
    }
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (event) => {
        resolve({ code: event.code, reason: event.reason })
        this.waiter?.()
      })
    })
  }

  /** Waits until `count` frames in all have arrived (or the stream closed) and returns them. */
  async take(count: number): Promise<WireFrame[]> {
    await this.until(() => this.frames.length >= count)
    return this.frames.slice(0, count)
  }

  /** Waits until a frame satisfies `match` and returns it. */
  async waitFor(match: (frame: WireFrame) => boolean): Promise<WireFrame> {
    await this.until(() => this.frames.some(match))
    return this.frames.find(match)!
  }

  /** Waits until the last received seq is at least `seq`. */
  async waitForSeq(seq: number): Promise<void> {
    await this.until(() => ((this.frames.at(-1)?.body.seq as number | undefined) ?? 0) >= seq)
  }

  close(): void {
    this.ws.close()
  }

  private async until(done: () => boolean): Promise<void> {
    let isClosed = false
    void this.closed.then(() => {
      isClosed = true
    })
    while (!done()) {
      if (isClosed || this.ws.readyState === WebSocket.CLOSED) {
        if (done()) return
        throw new Error(`stream closed after ${this.frames.length} frames`)
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve
      })
      this.waiter = undefined
    }
  }
}

/** Opens a subscription on a running server (base `http://…` URL). */
export async function subscribe(baseUrl: string, params: { cursor?: number } = {}): Promise<FirehoseClient> {
  const query = params.cursor === undefined ? '' : `?cursor=${params.cursor}`
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/xrpc/com.atproto.sync.subscribeRepos${query}`)
  const client = new FirehoseClient(ws)
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true })
    ws.addEventListener('error', () => reject(new Error('subscribeRepos connection failed')), { once: true })
  })
  return client
}

/** The seq of a message frame. */
export function seqOf(frame: DecodedFrame): number {
  return frame.body.seq as number
}
