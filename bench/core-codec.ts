// Codec figures: DRISL encode/decode of a typical post, CID hashing, K-256 sign/verify and CAR
// throughput. Each figure runs batches until ~250 ms have passed, after a short warm-up.
import { readCar, writeCar } from '../src/core/car.ts'
import { decodeCbor, encodeBlock, encodeCbor } from '../src/core/cbor.ts'
import { cidForCbor, parseCid } from '../src/core/cid.ts'
import { Secp256k1Keypair } from '../src/core/crypto/keypair.ts'
import { verifySignature } from '../src/core/crypto/verify.ts'

const BUDGET_NS = 250e6
const CAR_BLOCKS = 10_000

const post = {
  $type: 'app.bsky.feed.post',
  text: 'Just setting up my PDS. Self-hosting is fun, and this post is about as long as a typical one.',
  createdAt: '2026-01-01T12:34:56.789Z',
  langs: ['en'],
  reply: {
    root: {
      uri: 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3jzfcijpj2z2a',
      cid: 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a',
    },
    parent: {
      uri: 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3jzfcijpj2z2b',
      cid: 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a',
    },
  },
  facets: [
    {
      index: { byteStart: 0, byteEnd: 4 },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/' }],
    },
  ],
  embed: {
    $type: 'app.bsky.embed.images',
    images: [
      {
        alt: '',
        image: {
          $type: 'blob',
          ref: parseCid('bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity'),
          mimeType: 'image/jpeg',
          size: 123456,
        },
      },
    ],
  },
}

/** Operations per second of `fn`, run in batches of `batch` until the time budget is spent. */
function opsPerSecond(fn: () => void, batch: number): number {
  for (let i = 0; i < batch; i++) fn() // warm-up
  let ops = 0
  const start = Bun.nanoseconds()
  let elapsed = 0
  while (elapsed < BUDGET_NS) {
    for (let i = 0; i < batch; i++) fn()
    ops += batch
    elapsed = Bun.nanoseconds() - start
  }
  return Math.round(ops / (elapsed / 1e9))
}

async function carFigures(): Promise<{ writeMBps: number; readMBps: number }> {
  const blocks = Array.from({ length: CAR_BLOCKS }, (_, i) =>
    encodeBlock({ ...post, text: `${post.text} #${i}` }),
  )
  let bytes = 0
  const chunks: Uint8Array[] = []
  const writeStart = Bun.nanoseconds()
  for await (const chunk of writeCar(blocks[0]?.cid ?? null, blocks)) {
    bytes += chunk.length
    chunks.push(chunk)
  }
  const writeNs = Bun.nanoseconds() - writeStart
  const readStart = Bun.nanoseconds()
  const { blocks: iter } = await readCar(
    (async function* () {
      yield* chunks
    })(),
  )
  for await (const _ of iter) {
    // drain: the reader verifies every block's CID
  }
  const readNs = Bun.nanoseconds() - readStart
  const mb = bytes / (1024 * 1024)
  return { writeMBps: round1(mb / (writeNs / 1e9)), readMBps: round1(mb / (readNs / 1e9)) }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10
}

async function benchCodec(): Promise<Record<string, number>> {
  const encoded = encodeCbor(post)
  const key = Secp256k1Keypair.create()
  const did = key.did()
  const sig = key.sign(encoded)
  const car = await carFigures()
  return {
    post_bytes: encoded.length,
    cbor_encode_post_per_s: opsPerSecond(() => encodeCbor(post), 1000),
    cbor_decode_post_per_s: opsPerSecond(() => decodeCbor(encoded), 1000),
    cid_per_s: opsPerSecond(() => cidForCbor(encoded), 1000),
    k256_sign_per_s: opsPerSecond(() => key.sign(encoded), 50),
    k256_verify_per_s: opsPerSecond(() => verifySignature(did, encoded, sig), 50),
    car_write_mb_per_s: car.writeMBps,
    car_read_verify_mb_per_s: car.readMBps,
  }
}

if (import.meta.main) console.log(JSON.stringify(await benchCodec()))
