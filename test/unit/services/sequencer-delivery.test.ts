import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../../src/lib/logger.ts'
import { Sequencer } from '../../../src/services/sequencer/index.ts'
import { Db } from '../../../src/storage/database.ts'
import { migrate } from '../../../src/storage/migrate.ts'
import { EventLog } from '../../../src/storage/repo/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'perlsky-sequencer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let counter = 0

/** A handle on the database at `path` (a fresh one when omitted), with its own sequencer. */
function open(path = join(dir, `case-${++counter}.sqlite`)) {
  const db = Db.open(path)
  migrate(db)
  const log = new EventLog(db)
  let logReads = 0
  const after = log.after.bind(log)
  log.after = (seq, limit) => {
    logReads += 1
    return after(seq, limit)
  }
  const sequencer = new Sequencer(db, log, silentLogger())
  const heard: number[] = []
  sequencer.subscribe((event) => heard.push(event.seq))
  return { db, sequencer, heard, logReads: () => logReads }
}

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

describe('Sequencer delivery', () => {
  test('hands its own committed events over in order without reading them back', async () => {
    const a = open()
    for (let i = 0; i < 3; i++) {
      a.db.transaction(() => a.sequencer.sequenceAccountInTx(DID, true))
      a.sequencer.afterCommit()
    }
    a.db.transaction(() => {
      a.sequencer.sequenceIdentityInTx(DID)
      a.sequencer.sequenceAccountInTx(DID, false, 'deactivated')
    })
    await Promise.resolve()
    expect(a.heard).toEqual([1, 2, 3, 4, 5])
    expect(a.logReads()).toBe(0)
    a.db.close()
  })

  test('an event another handle committed in between is read from the log, in seq order', async () => {
    const a = open()
    const b = open(a.db.path)
    a.db.transaction(() => a.sequencer.sequenceAccountInTx(DID, true))
    b.db.transaction(() => b.sequencer.sequenceIdentityInTx(DID))
    a.db.transaction(() => a.sequencer.sequenceAccountInTx(DID, false, 'takendown'))
    a.sequencer.afterCommit()
    expect(a.heard).toEqual([1, 2, 3])
    expect(a.logReads()).toBeGreaterThan(0)
    await Promise.resolve()
    expect(a.heard).toEqual([1, 2, 3])
    a.db.close()
    b.db.close()
  })

  test('an event appended in a transaction Db.transaction did not open is still delivered', async () => {
    const a = open()
    a.db.raw.transaction(() => a.sequencer.sequenceAccountInTx(DID, true)).immediate()
    await Promise.resolve()
    expect(a.heard).toEqual([1])
    a.db.close()
  })

  test('events another thread committed are handed over as given when they follow on, else read', () => {
    const writer = open()
    // The firehose thread's sequencer: its own connection, created before these commits.
    const thread = open(writer.db.path)
    writer.db.transaction(() => writer.sequencer.sequenceAccountInTx(DID, true))
    writer.db.transaction(() => writer.sequencer.sequenceIdentityInTx(DID))
    const [first, second] = writer.sequencer.eventsAfter(0, 10)
    thread.sequencer.committedElsewhere(first!)
    thread.sequencer.committedElsewhere(second!)
    expect(thread.heard).toEqual([1, 2])
    expect(thread.logReads()).toBe(0)
    // A gap (seq 3 never passed on): the log fills it, and what was already delivered is dropped.
    writer.db.transaction(() => writer.sequencer.sequenceAccountInTx(DID, false, 'deactivated'))
    writer.db.transaction(() => writer.sequencer.sequenceAccountInTx(DID, true))
    const [, fourth] = writer.sequencer.eventsAfter(2, 10)
    thread.sequencer.committedElsewhere(fourth!)
    expect(thread.heard).toEqual([1, 2, 3, 4])
    thread.sequencer.committedElsewhere(second!)
    expect(thread.heard).toEqual([1, 2, 3, 4])
    // The writer's own deliveries are still queued (microtasks): stop them before the close.
    writer.sequencer.close()
    writer.db.close()
    thread.db.close()
  })
})
