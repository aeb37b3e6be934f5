/** Expectations on the XRPC errors services throw. */
import { expect } from 'bun:test'
import { XrpcError } from '../../src/services/errors.ts'

/** The promise rejects with an XrpcError of this status and name (and message, when given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  status: number,
  error: string,
  message?: RegExp,
) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(XrpcError)
  const x = err as XrpcError
  expect({ status: x.status, error: x.error }).toEqual({ status, error })
  if (message) expect(x.message).toMatch(message)
}
