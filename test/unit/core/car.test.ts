import { describe, expect, test } from 'bun:test'
import { BlockMap as AtprotoBlockMap, blocksToCarFile, readCarWithRoot } from '@atproto/repo'
import { CarReader } from '@ipld/car'
import {
  type CarBlock,
  CarError,
  decodeCar,
  encodeCar,
  readCar,
  readCarToMap,
  writeCar,
} from '../../../src/core/car.ts'
import { varintLength, writeVarint } from '../../../src/core/car-format.ts'
import { encodeBlock, encodeCbor } from '../../../src/core/cbor.ts'
import { CID, cidForRaw } from '../../../src/core/cid.ts'

const blocks: CarBlock[] = [
  encodeBlock({ $type: 'com.atproto.sync.commit', version: 3 }),
  encodeBlock({ text: 'hello', n: 1 }),
  encodeBlock({ text: 'x'.repeat(100_000) }), // larger than a writer chunk
  { cid: cidForRaw(new Uint8Array([1, 2, 3])), bytes: new Uint8Array([1, 2, 3]) },
]
const root = blocks[0]!.cid

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

async function readAll(source: Parameters<typeof readCar>[0], opts?: Parameters<typeof readCar>[1]) {
  const { roots, blocks: iter } = await readCar(source, opts)
  const out: CarBlock[] = []
  for await (const block of iter) out.push(block)
  return { roots, blocks: out }
}

/** Re-chunks bytes into pieces of the given sizes (cycled). */
async function* rechunk(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number
    yield bytes.slice(pos, pos + size)
    pos += size
  }
}

function section(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(varintLength(payload.length) + payload.length)
  out.set(payload, writeVarint(out, 0, payload.length))
  return out
}

const headerFor = (value: unknown) => section(encodeCbor(value))
const blockSection = (cid: CID, bytes: Uint8Array) => section(Buffer.concat([cid.bytes, bytes]))
const sameBlocks = (a: CarBlock[], b: CarBlock[]) =>
  expect(a.map((x) => [x.cid.toString(), Buffer.from(x.bytes).toString('hex')])).toEqual(
    b.map((x) => [x.cid.toString(), Buffer.from(x.bytes).toString('hex')]),
  )

describe('writing and reading', () => {
  test('writeCar streams exactly the bytes encodeCar builds', async () => {
    expect(await collect(writeCar(root, blocks))).toEqual(encodeCar(root, blocks))
  })

  test('round-trips roots and blocks through the streaming reader', async () => {
    const car = await readAll(writeCar(root, blocks))
    expect(car.roots.map(String)).toEqual([root.toString()])
    sameBlocks(car.blocks, blocks)
  })

  test('decodeCar and readCarToMap read the same CAR synchronously and into a BlockMap', async () => {
    const bytes = encodeCar(root, blocks)
    const sync = decodeCar(bytes)
    const mapped = await readCarToMap(bytes)
    expect(mapped.root.equals(root)).toBe(true)
    for (const { cid, bytes: data } of blocks) {
      expect(sync.blocks.get(cid)).toEqual(data)
      expect(mapped.blocks.get(cid)).toEqual(data)
    }
  })

  test('a null root writes an empty roots array', async () => {
    const car = await readAll(encodeCar(null, blocks))
    expect(car.roots).toEqual([])
    await expect(readCarToMap(encodeCar(null, blocks))).rejects.toThrow(CarError)
  })

  for (const sizes of [[1], [7], [3, 50, 1, 65_536], [100_000]]) {
    test(`reads the same blocks when the input arrives in chunks of ${sizes.join('/')} bytes`, async () => {
      const car = await readAll(rechunk(encodeCar(root, blocks), sizes))
      sameBlocks(car.blocks, blocks)
    })
  }

  test('reads from a ReadableStream', async () => {
    const car = await readAll(new Response(encodeCar(root, blocks)).body as ReadableStream<Uint8Array>)
    sameBlocks(car.blocks, blocks)
  })

  test('streams 50k blocks from writer to reader without materializing the CAR', async () => {
    const total = 50_000
    let produced = 0
    function* generate(): Generator<CarBlock> {
      for (let i = 0; i < total; i++) {
        produced++
        yield encodeBlock({ i, text: `record number ${i}` })
      }
    }
    let largestChunk = 0
    async function* observed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of writeCar(null, generate())) {
        largestChunk = Math.max(largestChunk, chunk.length)
        yield chunk
      }
    }
    const { blocks: iter } = await readCar(observed())
    let read = 0
    let maxLead = 0
    for await (const block of iter) {
      expect(block.cid.equals(encodeBlock({ i: read, text: `record number ${read}` }).cid)).toBe(true)
      read++
      maxLead = Math.max(maxLead, produced - read)
    }
    expect(read).toBe(total)
    expect(largestChunk).toBeLessThanOrEqual(64 * 1024)
    // The writer never runs more than about one chunk ahead of the reader.
    expect(maxLead).toBeLessThan(2_000)
  })

  test('breaking out of the block loop releases the source', async () => {
    let released = false
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* rechunk(encodeCar(root, blocks), [10])
      } finally {
        released = true
      }
    }
    const { blocks: iter } = await readCar(source())
    for await (const _ of iter) break
    expect(released).toBe(true)
  })
})

describe('rejecting bad input', () => {
  const good = encodeCar(root, blocks)
  const header = headerFor({ version: 1, roots: [root] })
  const okBlock = blocks[1]!

  const cases: [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['garbage', new Uint8Array([0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])],
    ['a truncated header length', new Uint8Array([0x80])],
    ['a truncated header', good.subarray(0, 10)],
    ['a truncated block', good.subarray(0, good.length - 1)],
    ['a block cut inside its length varint', Buffer.concat([header, new Uint8Array([0xa0])])],
    ['a non-minimal varint', Buffer.concat([header, new Uint8Array([0x80, 0x00])])],
    ['an overlong varint', Buffer.concat([header, new Uint8Array(9).fill(0xff)])],
    ['a zero-length section', Buffer.concat([header, new Uint8Array([0])])],
    ['a header that is not a map', headerFor([1, root])],
    ['version 2', headerFor({ version: 2, roots: [root] })],
    ['a missing version', headerFor({ roots: [root] })],
    ['roots that are not CIDs', headerFor({ version: 1, roots: ['bafy'] })],
    ['a header that is not DRISL', section(new Uint8Array([0xa1, 0x61, 0x61, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0]))],
    [
      'forged block bytes',
      Buffer.concat([header, blockSection(okBlock.cid, new TextEncoder().encode('forged'))]),
    ],
    ['a block shorter than a CID', Buffer.concat([header, section(okBlock.cid.bytes.subarray(0, 20))])],
    [
      'a CIDv0 block',
      Buffer.concat([header, section(Buffer.concat([okBlock.cid.multihash.bytes, okBlock.bytes]))]),
    ],
    [
      'a dag-pb codec block',
      Buffer.concat([header, blockSection(CID.createV1(0x70, okBlock.cid.multihash), okBlock.bytes)]),
    ],
  ]
  for (const [name, bytes] of cases) {
    test(`rejects ${name} with CarError (streaming and in memory)`, async () => {
      await expect(readAll(rechunk(bytes, [5]))).rejects.toThrow(CarError)
      expect(() => decodeCar(bytes)).toThrow(CarError)
    })
  }

  test('rejects a section above maxBlockSize before buffering it', async () => {
    let pulledAfterLength = false
    async function* source(): AsyncGenerator<Uint8Array> {
      yield header
      yield new Uint8Array([0x80, 0x80, 0x80, 0x10]) // 32 MiB
      pulledAfterLength = true
      yield new Uint8Array(1024)
    }
    await expect(readAll(source())).rejects.toThrow(/exceeds/)
    expect(pulledAfterLength).toBe(false)
    expect(() => decodeCar(encodeCar(root, blocks), { maxBlockSize: 1000 })).toThrow(CarError)
  })

  test('readCarToMap requires exactly one root', async () => {
    const twoRoots = Buffer.concat([
      headerFor({ version: 1, roots: [root, root] }),
      blockSection(okBlock.cid, okBlock.bytes),
    ])
    await expect(readCarToMap(twoRoots)).rejects.toThrow(/exactly one/)
  })
})

describe('interop', () => {
  test('@ipld/car reads a CAR written by us', async () => {
    const reader = await CarReader.fromBytes(await collect(writeCar(root, blocks)))
    expect((await reader.getRoots()).map(String)).toEqual([root.toString()])
    const theirs: CarBlock[] = []
    for await (const { cid, bytes } of reader.blocks()) theirs.push({ cid: CID.asCID(cid)!, bytes })
    sameBlocks(theirs, blocks)
  })

  test('@atproto/repo reads a CAR written by us', async () => {
    const { root: theirRoot, blocks: theirBlocks } = await readCarWithRoot(encodeCar(root, blocks))
    expect(theirRoot.toString()).toBe(root.toString())
    for (const { cid, bytes } of blocks) expect(theirBlocks.get(cid)).toEqual(bytes)
  })

  test('we read a CAR written by @atproto/repo, byte-identical to ours', async () => {
    const map = new AtprotoBlockMap()
    for (const { cid, bytes } of blocks) map.set(cid, bytes)
    const theirCar = await blocksToCarFile(root, map)
    expect(theirCar).toEqual(encodeCar(root, blocks))
    const { root: ourRoot, blocks: ourBlocks } = await readCarToMap(theirCar)
    expect(ourRoot.equals(root)).toBe(true)
    expect(ourBlocks.size).toBe(blocks.length)
  })

  test('@atproto/repo writes a null root the way we do', async () => {
    expect(await blocksToCarFile(null, new AtprotoBlockMap())).toEqual(encodeCar(null, []))
  })
})
