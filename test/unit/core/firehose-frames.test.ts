import { describe, expect, test } from 'bun:test'
import { ErrorFrame, Frame, MessageFrame } from '@atproto/xrpc-server'
import { encodeCbor } from '../../../src/core/cbor.ts'
import { cidForCbor } from '../../../src/core/cid.ts'
import {
  decodeFrame,
  encodeErrorFrame,
  encodeInfoFrame,
  encodeMessageFrame,
  InvalidFrameError,
} from '../../../src/core/firehose/frames.ts'

const cid = cidForCbor(encodeCbor({ hello: 'world' }))
const BODIES: [string, Record<string, unknown>][] = [
  ['#identity', { seq: 7, did: 'did:plc:abc', time: '2026-01-01T00:00:00.000Z', handle: 'a.test' }],
  [
    '#account',
    { seq: 8, did: 'did:plc:abc', time: '2026-01-01T00:00:00.000Z', active: false, status: 'deactivated' },
  ],
  [
    '#commit',
    {
      seq: 9,
      repo: 'did:plc:abc',
      commit: cid,
      rev: '3kaaaaaaaaaa2',
      since: null,
      blocks: new Uint8Array([1, 2]),
      ops: [],
      blobs: [],
      rebase: false,
      tooBig: false,
      time: '2026-01-01T00:00:00.000Z',
    },
  ],
]

describe('firehose frames', () => {
  for (const [type, body] of BODIES) {
    test(`a ${type} frame is byte-identical to the reference encoder's`, () => {
      const ours = encodeMessageFrame(type, encodeCbor(body))
      expect(ours).toEqual(new MessageFrame(body as never, { type }).toBytes())
    })

    test(`the reference decoder reads our ${type} frame`, () => {
      const frame = Frame.fromBytes(encodeMessageFrame(type, encodeCbor(body)))
      expect(frame.isMessage()).toBe(true)
      expect((frame as MessageFrame).type).toBe(type)
      expect((frame.body as { seq: number }).seq).toBe(body.seq as number)
    })
  }

  test('an error frame has op -1, no type, and the error name and message', () => {
    const bytes = encodeErrorFrame('FutureCursor', 'Cursor in the future.')
    expect(bytes).toEqual(
      new ErrorFrame({ error: 'FutureCursor', message: 'Cursor in the future.' }).toBytes(),
    )
    expect(decodeFrame(bytes)).toEqual({
      header: { op: -1 },
      body: { error: 'FutureCursor', message: 'Cursor in the future.' },
    })
    const theirs = Frame.fromBytes(bytes)
    expect(theirs.isError() && theirs.code).toBe('FutureCursor')
  })

  test('an error frame without a message leaves the field out', () => {
    expect(decodeFrame(encodeErrorFrame('ConsumerTooSlow')).body).toEqual({ error: 'ConsumerTooSlow' })
  })

  test('an #info frame carries the name and message', () => {
    expect(decodeFrame(encodeInfoFrame('OutdatedCursor', 'too old'))).toEqual({
      header: { op: 1, t: '#info' },
      body: { name: 'OutdatedCursor', message: 'too old' },
    })
  })

  test('decoding returns the header and the body with CIDs and bytes', () => {
    const [, body] = BODIES[2]!
    const decoded = decodeFrame(encodeMessageFrame('#commit', encodeCbor(body)))
    expect(decoded.header).toEqual({ op: 1, t: '#commit' })
    expect(decoded.body).toEqual(body)
  })

  test('unknown ops and types are returned for the caller to skip', () => {
    const frame = Buffer.concat([encodeCbor({ op: 2, t: '#future' }), encodeCbor({ x: 1 })])
    expect(decodeFrame(frame)).toEqual({ header: { op: 2, t: '#future' }, body: { x: 1 } })
  })

  const broken: [string, Uint8Array][] = [
    ['an empty frame', new Uint8Array(0)],
    ['a header alone', encodeCbor({ op: 1, t: '#commit' })],
    ['a header without op', Buffer.concat([encodeCbor({ t: '#commit' }), encodeCbor({})])],
    ['a message header without type', Buffer.concat([encodeCbor({ op: 1 }), encodeCbor({})])],
    ['a body that is not a map', Buffer.concat([encodeCbor({ op: 1, t: '#x' }), encodeCbor([1])])],
    [
      'trailing bytes after the body',
      Buffer.concat([encodeCbor({ op: 1, t: '#x' }), encodeCbor({}), encodeCbor(1)]),
    ],
  ]
  for (const [name, bytes] of broken) {
    test(`rejects ${name}`, () => {
      expect(() => decodeFrame(bytes)).toThrow(InvalidFrameError)
    })
  }
})
