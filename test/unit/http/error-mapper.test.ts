import { describe, expect, test } from 'bun:test'
import { errorResponse } from '../../../src/http/error-mapper.ts'
import {
  AuthRequiredError,
  ForbiddenError,
  InternalServerError,
  InvalidRequestError,
  MethodNotImplementedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitExceededError,
  UpstreamFailureError,
  type XrpcError,
} from '../../../src/services/errors.ts'

interface Line {
  level: string
  msg: string
  fields: Record<string, unknown>
}

function capture() {
  const lines: Line[] = []
  const log =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, msg, fields })
  return { lines, logger: { debug: log('debug'), error: log('error') } }
}

const where = { requestId: 'req-1', method: 'POST', path: '/xrpc/com.example.x' }

async function map(err: unknown) {
  const { lines, logger } = capture()
  const response = errorResponse(err, { ...where, logger })
  return { response, body: (await response.json()) as unknown, lines }
}

describe('errorResponse', () => {
  const cases: [XrpcError, number, string, string][] = [
    [new InvalidRequestError('bad cursor'), 400, 'InvalidRequest', 'bad cursor'],
    [
      new InvalidRequestError('Handle already taken', 'HandleNotAvailable'),
      400,
      'HandleNotAvailable',
      'Handle already taken',
    ],
    [new AuthRequiredError(), 401, 'AuthenticationRequired', 'Authentication Required'],
    [new ForbiddenError('no'), 403, 'Forbidden', 'no'],
    [new NotFoundError(), 404, 'NotFound', 'Not Found'],
    [new PayloadTooLargeError(), 413, 'PayloadTooLarge', 'Payload Too Large'],
    [new RateLimitExceededError(), 429, 'RateLimitExceeded', 'Rate Limit Exceeded'],
    [new MethodNotImplementedError(), 501, 'MethodNotImplemented', 'Method Not Implemented'],
    [new UpstreamFailureError('appview down'), 502, 'UpstreamFailure', 'appview down'],
  ]
  for (const [err, status, error, message] of cases) {
    test(`maps ${err.name}(${error}) to ${status}`, async () => {
      const { response, body } = await map(err)
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toStartWith('application/json')
      expect(body).toEqual({ error, message })
    })
  }

  test('turns an unknown error into a bare 500 and logs it with the request id', async () => {
    const { response, body, lines } = await map(new TypeError('secret detail at /var/lib/perlsky'))
    expect(response.status).toBe(500)
    expect(body).toEqual({ error: 'InternalServerError', message: 'Internal Server Error' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 'error',
      fields: { requestId: 'req-1', path: where.path, status: 500 },
    })
    expect(lines[0]!.fields.err).toBeInstanceOf(TypeError)
  })

  test('never sends the message of a deliberate InternalServerError', async () => {
    const { body, lines } = await map(new InternalServerError('db row 42 corrupt'))
    expect(body).toEqual({ error: 'InternalServerError', message: 'Internal Server Error' })
    expect(lines[0]!.fields.message).toBe('db row 42 corrupt')
  })

  test('maps a thrown non-Error value to 500', async () => {
    const { response, lines } = await map('just a string')
    expect(response.status).toBe(500)
    expect(lines[0]!.fields.err).toEqual({ thrown: 'just a string' })
  })

  test('logs client errors at debug level only', async () => {
    const { lines } = await map(new InvalidRequestError('bad'))
    expect(lines.map((l) => l.level)).toEqual(['debug'])
  })

  test('copies the headers an error carries', async () => {
    const err = new AuthRequiredError('nonce', 'use_dpop_nonce', {
      headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': 'n1' },
    })
    const { response } = await map(err)
    expect(response.headers.get('www-authenticate')).toBe('DPoP error="use_dpop_nonce"')
    expect(response.headers.get('dpop-nonce')).toBe('n1')
  })
})
