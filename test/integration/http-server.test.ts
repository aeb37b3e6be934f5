// The server's life cycle: health when the database goes away, graceful stop, port clashes.
import { describe, expect, test } from 'bun:test'
import { ids } from '../../lexicons/ids.ts'
import { startServer } from '../../src/http/server.ts'
import { xrpcMethod } from '../../src/http/xrpc/types.ts'
import { silentLogger } from '../../src/lib/logger.ts'
import { createContext } from '../../src/services/context.ts'
import { startHarness } from './harness.ts'

describe('health', () => {
  test('is 503 DatabaseUnavailable once the database is closed, without the database error', async () => {
    const h = await startHarness()
    try {
      expect((await fetch(`${h.url}/_health`)).status).toBe(200)
      h.ctx.db.close()
      for (const path of ['/_health', '/xrpc/_health']) {
        const res = await fetch(h.url + path)
        expect(res.status).toBe(503)
        const body = (await res.json()) as Record<string, unknown>
        expect(body).toMatchObject({ status: 'error', error: 'DatabaseUnavailable' })
        expect(JSON.stringify(body)).not.toContain(h.dataDir)
      }
    } finally {
      await h.stop()
    }
  })
})

describe('stop', () => {
  test('lets a request in flight finish, then refuses new connections', async () => {
    const entered = Promise.withResolvers<void>()
    const release = Promise.withResolvers<void>()
    const slow = xrpcMethod(ids.ComAtprotoServerDescribeServer, {
      auth: 'none',
      handler: async () => {
        entered.resolve()
        await release.promise
        return { encoding: 'application/json', body: { did: 'did:web:slow.test', availableUserDomains: [] } }
      },
    })
    const h = await startHarness({ methods: [slow] })
    const inFlight = fetch(`${h.url}/xrpc/com.atproto.server.describeServer`)
    await entered.promise
    let stopped = false
    const stopping = h.stop().then(() => {
      stopped = true
    })
    await expect(fetch(`${h.url}/_health`)).rejects.toThrow()
    expect(stopped).toBe(false)
    release.resolve()
    const res = await inFlight
    expect(res.status).toBe(200)
    expect(((await res.json()) as { did: string }).did).toBe('did:web:slow.test')
    await stopping
    expect(stopped).toBe(true)
  })
})

describe('listen', () => {
  test('fails when the port is already taken instead of sharing it', async () => {
    const h = await startHarness()
    const ctx = createContext(h.config, { logger: silentLogger() })
    try {
      await expect(startServer(ctx, { port: Number(new URL(h.url).port) })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      })
    } finally {
      await ctx.close()
      await h.stop()
    }
  })
})
