/**
 * A stand-in for the firehose thread's worker, speaking its protocol (src/http/firehose-thread.ts)
 * for tests of the supervision: it listens on the port it is given and answers 200, and the
 * first event it is passed makes it throw, as a bug would.
 */
import type { FromFirehoseThread, ToFirehoseThread } from '../../src/http/firehose-thread.ts'

declare const self: Worker

let server: ReturnType<typeof Bun.serve> | undefined
const post = (message: FromFirehoseThread) => self.postMessage(message)

self.onmessage = ({ data }: MessageEvent<ToFirehoseThread>) => {
  if (data.kind === 'start') {
    server = Bun.serve({ hostname: data.host, port: data.port, fetch: () => new Response('up') })
    post({ kind: 'listening', port: server.port ?? 0 })
  } else if (data.kind === 'event') {
    // Let the port go first, so that the replacement can take it.
    server?.stop(true)
    throw new Error(`cannot handle event ${data.event.seq}`)
  } else {
    server?.stop(true)
    post({ kind: 'stopped' })
  }
}
