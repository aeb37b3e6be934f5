import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { signUp } from '../helpers/agents.ts'
import { subscribe } from '../helpers/firehose-client.ts'
import { type Exposition, parseExposition } from '../helpers/prometheus-text.ts'
import { type Harness, startHarness } from './harness.ts'

const OPS = join(import.meta.dir, '../../ops')
const read = (path: string) => readFileSync(join(OPS, path), 'utf8')

interface Target {
  expr: string
  refId: string
  datasource: { type: string; uid: string }
}

interface Panel {
  id: number
  type: string
  title: string
  gridPos: { h: number; w: number; x: number; y: number }
  datasource?: { type: string; uid: string }
  targets?: Target[]
}

const dashboard = JSON.parse(read('grafana/perlsky-dashboard.json')) as {
  uid: string
  schemaVersion: number
  panels: Panel[]
  templating: { list: { query: { query: string } }[] }
}
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row')
const expressions = [
  ...queryPanels.flatMap((p) => p.targets ?? []).map((t) => t.expr),
  ...dashboard.templating.list.map((v) => v.query.query),
]
/** Every perlsky_* series name the dashboard's PromQL reads. */
const usedNames = new Set(expressions.flatMap((expr) => expr.match(/\bperlsky_[a-zA-Z0-9_]+/g) ?? []))

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count']

/** The family a series name belongs to: itself, or a histogram's when it carries a suffix. */
function familyOf(scrape: Exposition, name: string): string | undefined {
  if (scrape.types.has(name)) return name
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s))
  const base = suffix === undefined ? undefined : name.slice(0, -suffix.length)
  return base !== undefined && scrape.types.get(base) === 'histogram' ? base : undefined
}

describe('ops/grafana/perlsky-dashboard.json', () => {
  test('is a Grafana dashboard whose panels query the "prometheus" data source', () => {
    expect(dashboard.uid).toBe('perlsky-overview')
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36)
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length)
    expect(queryPanels.length).toBeGreaterThan(20)
    for (const panel of queryPanels) {
      expect(['timeseries', 'stat']).toContain(panel.type)
      expect(panel.title.length).toBeGreaterThan(0)
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' })
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24)
      expect(panel.targets?.length).toBeGreaterThan(0)
      for (const target of panel.targets ?? []) {
        expect(target.datasource.uid).toBe('prometheus')
        expect(target.expr).toContain('perlsky_')
        expect(target.refId).toMatch(/^[A-Z]$/)
      }
    }
  })

  test('comes with the data source (uid prometheus), the provider and the scrape job it expects', () => {
    const datasources = Bun.YAML.parse(read('grafana/prometheus-datasource.yml')) as {
      datasources: { uid: string; type: string }[]
    }
    expect(datasources.datasources).toContainEqual(
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus' }),
    )
    const providers = Bun.YAML.parse(read('grafana/perlsky-dashboard-provider.yml')) as {
      providers: { type: string; options: { path: string } }[]
    }
    expect(providers.providers[0]).toMatchObject({
      type: 'file',
      options: { path: '/var/lib/grafana/dashboards' },
    })
    const prometheus = Bun.YAML.parse(read('prometheus/perlsky.yml')) as {
      scrape_configs: Record<string, unknown>[]
    }
    expect(prometheus.scrape_configs[0]).toMatchObject({
      job_name: 'perlsky',
      metrics_path: '/metrics',
      authorization: { credentials: 'REPLACE_WITH_PERLSKY_METRICS_TOKEN' },
      static_configs: [{ targets: ['127.0.0.1:7755'] }],
    })
  })
})

describe('the dashboard against a live scrape', () => {
  let h: Harness
  let scrape: Exposition
  beforeAll(async () => {
    h = await startHarness()
    // Some real traffic: sign-up, a write, a blob, an error, a firehose subscriber.
    const firehose = await subscribe(h.url)
    const alice = await signUp(h, 'alice')
    await alice.agent.com.atproto.repo.createRecord({
      repo: alice.did,
      collection: 'com.example.note',
      record: { $type: 'com.example.note', text: 'hi' },
    })
    await alice.agent.com.atproto.repo.uploadBlob(new Uint8Array([1, 2, 3]), {
      encoding: 'application/octet-stream',
    })
    await fetch(`${h.url}/xrpc/com.atproto.server.getSession`)
    await firehose.waitForSeq(h.ctx.sequencer.lastSeq())
    scrape = parseExposition(await (await fetch(`${h.url}/metrics`)).text())
    firehose.close()
  })
  afterAll(() => h.stop())

  test('uses only metric names the server exposes', () => {
    expect(usedNames.size).toBeGreaterThan(20)
    const unknown = [...usedNames].filter((name) => familyOf(scrape, name) === undefined)
    expect(unknown).toEqual([])
  })

  test('has a panel for every perlsky metric family of its own', () => {
    const used = new Set([...usedNames].map((name) => familyOf(scrape, name)))
    const own = [...scrape.types.keys()].filter((name) => !/^perlsky_(process|nodejs)_/.test(name))
    expect(own.filter((family) => !used.has(family))).toEqual([])
  })

  test('shows series with samples after real traffic', () => {
    for (const name of [
      'perlsky_xrpc_request_duration_seconds_count',
      'perlsky_xrpc_errors_total',
      'perlsky_accounts',
      'perlsky_event_log_last_seq',
      'perlsky_firehose_frames_total',
      'perlsky_blob_bytes_total',
      'perlsky_db_transaction_duration_seconds_bucket',
      'perlsky_process_resident_memory_bytes',
      'perlsky_nodejs_eventloop_lag_seconds',
    ]) {
      expect(scrape.has(name)).toBe(true)
    }
  })
})
