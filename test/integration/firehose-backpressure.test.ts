/**
 * A subscriber that stops reading must not hold up anyone: writes go on, a reading subscriber
 * keeps receiving everything, and the stalled one is cut off with a ConsumerTooSlow error frame
 * once its queue passes the per-subscriber limit. The stalled client is a raw TCP socket that
 * does the WebSocket handshake and then pauses, so the kernel buffers fill and the server's
 * queue grows as it would for a real slow consumer.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { connect, type Socket } from 'node:net'
import { type DecodedFrame, decodeFrame } from '../../src/core/firehose/frames.ts'
import { signUp } from '../helpers/agents.ts'
import { seqOf, subscribe } from '../helpers/firehose-client.ts'
import { type Harness, startHarness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.stop())

interface WsMessage {
  opcode: number
  payload: Buffer
}

/** A WebSocket client on a bare socket: handshake, then nothing is read until `resume`. */
class StalledClient {
  private received = Buffer.alloc(0)
  readonly ended: Promise<void>

  private constructor(private readonly socket: Socket) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  static async open(url: string): Promise<StalledClient> {
    const { hostname, port, pathname } = new URL(url)
    const socket = connect(Number(port), hostname)
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(
      `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    const client = new StalledClient(socket)
    socket.on('data', (chunk: Buffer) => {
      client.received = Buffer.concat([client.received, chunk])
    })
    await new Promise<void>((resolve) => {
      const check = () => {
        const end = client.received.indexOf('\r\n\r\n')
        if (end === -1) return
        socket.off('data', check)
        expect(client.received.subarray(0, 12).toString()).toBe('HTTP/1.1 101')
        client.received = client.received.subarray(end + 4)
        socket.pause()
        resolve()
      }
      socket.on('data', check)
    })
    return client
  }

  resume(): void {
    this.socket.resume()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** The messages received (server frames are never masked). */
  messages(): WsMessage[] {
    const out: WsMessage[] = []
    let pos = 0
    const buf = this.received
    while (pos + 2 <= buf.length) {
      let length = buf[pos + 1]! & 0x7f
      let start = pos + 2
      if (length === 126) {
        length = buf.readUInt16BE(start)
        start += 2
      } else if (length === 127) {
        length = Number(buf.readBigUInt64BE(start))
        start += 8
      }
      if (start + length > buf.length) break
      out.push({ opcode: buf[pos]! & 0x0f, payload: buf.subarray(start, start + length) })
      pos = start + length
    }
    return out
  }
}

test('a stalled subscriber is cut off with ConsumerTooSlow; writers and a reading subscriber carry on', async () => {
  const bulk = await signUp(h, 'bulk')
  const stalled = await StalledClient.open(`${h.url}/xrpc/com.atproto.sync.subscribeRepos`)
  const reader = await subscribe(h.url)
  try {
    const first = h.ctx.sequencer.lastSeq() + 1
    // ~20 MB of events: more than the socket buffers and the 8 MiB queue limit together. Written
    // through the repo service: one HTTP body could not carry a 1 MB commit.
    const COMMITS = 20
    for (let c = 0; c < COMMITS; c++) {
      const writes = Array.from({ length: 100 }, (_, i) => ({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: 'com.example.bulk',
        value: { $type: 'com.example.bulk', n: c * 100 + i, data: 'x'.repeat(10_000) },
      }))
      const { commit } = await h.ctx.repo.applyWrites(bulk.did, { repo: bulk.did, writes })
      expect(commit.rev).toBeString()
      // The reading client shares this thread with the writer: give it the turns a consumer in
      // its own process would have. The stalled client gets no such help.
      await reader.waitForSeq(h.ctx.sequencer.lastSeq())
    }
    const last = h.ctx.sequencer.lastSeq()
    expect(last - first + 1).toBe(COMMITS)
    expect(reader.frames.map(seqOf)).toEqual(Array.from({ length: COMMITS }, (_, i) => first + i))

    stalled.resume()
    await stalled.ended
    const messages = stalled.messages()
    const close = messages.at(-1)!
    expect(close.opcode).toBe(0x8)
    expect(close.payload.readUInt16BE(0)).toBe(1008)
    const frames: DecodedFrame[] = messages.slice(0, -1).map((m) => decodeFrame(m.payload))
    expect(frames.at(-1)).toEqual({
      header: { op: -1 },
      body: { error: 'ConsumerTooSlow', message: 'Stream consumer too slow' },
    })
    const delivered = frames.slice(0, -1).map(seqOf)
    expect(delivered.length).toBeLessThan(COMMITS)
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => first + i))
  } finally {
    reader.close()
    stalled.destroy()
  }
})
