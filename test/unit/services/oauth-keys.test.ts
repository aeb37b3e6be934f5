// The authorization server's signing keys: created once and persisted, rotated by
// `perlsky admin oauth rotate-key` (also from a second process), the retired key still published
// and accepted until the tokens it signed have expired.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { oauthCommand } from '../../../src/cli/admin/oauth.ts'
import type { CliIo } from '../../../src/cli/io.ts'
import { AccessTokens } from '../../../src/services/oauth/access-tokens.ts'
import { SigningKeys } from '../../../src/services/oauth/signing-keys.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'
import { OAuthTables } from '../../../src/storage/oauth/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-oauth-keys-'))
const opened: Db[] = []
afterAll(() => {
  for (const db of opened) db.close()
  rmSync(dir, { recursive: true, force: true })
})

const LIFETIME_MS = 15 * 60_000

function openTables(path: string): OAuthTables {
  const db = Db.open(path)
  opened.push(db)
  migrate(db)
  return new OAuthTables(db)
}

const claims = {
  sid: 's1',
  did: 'did:plc:abc',
  clientId: 'https://a.example/c.json',
  jkt: 'j',
  scope: 'atproto',
}

describe('signing keys', () => {
  test('are created on first use and kept across restarts', async () => {
    const path = join(dir, 'restart.sqlite')
    const first = new SigningKeys(openTables(path), LIFETIME_MS)
    const jwks = await first.jwks()
    expect(jwks.keys).toHaveLength(1)
    expect(await new SigningKeys(openTables(path), LIFETIME_MS).jwks()).toEqual(jwks)
  })

  test('rotation signs with the new key and keeps the old one until its tokens expire', async () => {
    const clock = { now: Date.now() }
    const keys = new SigningKeys(openTables(join(dir, 'rotate.sqlite')), LIFETIME_MS, () => clock.now)
    const tokens = new AccessTokens(keys, 'https://pds.test', 'did:web:pds.test', LIFETIME_MS)
    const old = await tokens.sign(claims, clock.now)
    const [oldKid] = (await keys.jwks()).keys.map((k) => k.kid)
    const newKid = await keys.rotate()
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([newKid, oldKid])
    expect((await keys.active()).kid).toBe(newKid)
    expect((await tokens.verify(old, clock.now)).sid).toBe('s1')
    clock.now += LIFETIME_MS + 120_000
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([newKid])
    await expect(tokens.verify(old, clock.now)).rejects.toThrow('not signed by this server')
  })

  test('rotated by the admin command are picked up by a running server', async () => {
    const path = join(dir, 'admin.sqlite')
    const configFile = join(dir, 'config.json')
    writeFileSync(
      configFile,
      JSON.stringify({
        base_url: 'https://pds.test',
        service_handle_domain: 'pds.test',
        account_did_method: 'did:web',
        jwt_secret: 'oauth-keys-test-jwt-secret',
        data_dir: dir,
        db_path: path,
      }),
    )
    const clock = { now: Date.now() }
    const server = new SigningKeys(openTables(path), LIFETIME_MS, () => clock.now)
    const before = (await server.active()).kid
    const out: string[] = []
    const io: CliIo = { stdout: (t) => void out.push(t), stderr: () => {}, env: {}, cwd: dir }
    expect(await oauthCommand.run(['rotate-key', '--config', configFile], io)).toBe(0)
    const rotated = out.join('').trim()
    expect(rotated).not.toBe(before)
    clock.now += 61_000
    expect((await server.active()).kid).toBe(rotated)
    out.length = 0
    expect(await oauthCommand.run(['keys', '--config', configFile], io)).toBe(0)
    expect(out.join('').trim().split('\n')).toEqual([rotated, before])
  })
})
