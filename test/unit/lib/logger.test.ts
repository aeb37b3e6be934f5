import { describe, expect, test } from 'bun:test'
import { createLogger, type LoggerOptions } from '../../../src/lib/logger.ts'

const NOW = new Date('2026-01-02T03:04:05.678Z')

function capture(opts: LoggerOptions = {}) {
  const lines: string[] = []
  const logger = createLogger({ now: () => NOW, sink: (line) => lines.push(line), ...opts })
  return { logger, lines }
}

describe('logger', () => {
  test('writes one JSON object per line with time, level, message and fields', () => {
    const { logger, lines } = capture()
    logger.info('server started', { port: 7755 })
    expect(lines).toEqual([
      `${JSON.stringify({ time: NOW.toISOString(), level: 'info', msg: 'server started', port: 7755 })}\n`,
    ])
  })

  test('drops lines below the configured level', () => {
    const { logger, lines } = capture({ level: 'warn' })
    logger.debug('d')
    logger.info('i')
    logger.warn('w')
    logger.error('e')
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['warn', 'error'])
  })

  test('child loggers add their fields to every line', () => {
    const { logger, lines } = capture()
    logger.child({ requestId: 'r1' }).child({ route: 'x' }).info('hit', { status: 200 })
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ requestId: 'r1', route: 'x', status: 200 })
  })

  test('redacts secret-looking fields at any depth', () => {
    const { logger, lines } = capture()
    logger.child({ jwt_secret: 's1' }).info('req', {
      password: 's2',
      headers: { Authorization: 'Bearer s3', 'x-ok': 'fine' },
      accessJwt: 's4',
      list: [{ refreshToken: 's5' }],
      admin_password: 's6',
    })
    const line = lines[0] ?? ''
    for (const secret of ['s1', 's2', 's3', 's4', 's5', 's6']) expect(line).not.toContain(`"${secret}`)
    expect(JSON.parse(line)).toMatchObject({
      jwt_secret: '[redacted]',
      password: '[redacted]',
      headers: { Authorization: '[redacted]', 'x-ok': 'fine' },
      list: [{ refreshToken: '[redacted]' }],
    })
  })

  test('serializes errors with name, message and stack', () => {
    const { logger, lines } = capture()
    logger.error('failed', { err: new TypeError('bad thing') })
    const { err } = JSON.parse(lines[0] ?? '')
    expect(err).toMatchObject({ name: 'TypeError', message: 'bad thing' })
    expect(err.stack).toContain('bad thing')
  })

  test('prints readable lines in pretty format', () => {
    const { logger, lines } = capture({ format: 'pretty' })
    logger.warn('slow request', { ms: 1200, path: '/xrpc/x', token: 'abc' })
    expect(lines).toEqual(['03:04:05.678 WARN  slow request ms=1200 path=/xrpc/x token=[redacted]\n'])
  })
})
