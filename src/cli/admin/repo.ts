/**
 * `perlsky admin repo export|verify`: an account's repository as a CAR file (the same stream
 * com.atproto.sync.getRepo serves, from a consistent snapshot), and an offline check of a CAR
 * file: block CIDs, commit, signature and MST (repo-check.ts).
 */
import { open, rename, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseDidKey } from '../../core/crypto/did-key.ts'
import { getVerificationKey } from '../../services/identity/index.ts'
import { command, configCommand, EXIT_FAILURE, EXIT_OK, requirePositionals, UsageError } from '../command.ts'
import { CONFIG_FLAGS, CONFIG_FLAGS_USAGE, loadCliConfig } from '../config-source.ts'
import { groupCommand } from '../dispatch.ts'
import type { CliIo } from '../io.ts'
import { findAccount, printJson, withContext } from './context.ts'
import {
  checkRepoStructure,
  commitSignatureValid,
  InvalidRepoCarError,
  type RepoCarContents,
  type RepoStructure,
  readRepoCar,
} from './repo-check.ts'

const exportUsage = `usage: perlsky admin repo export DID|HANDLE FILE.car [--config FILE | --dev]

Writes the account's repository to FILE.car (the CAR com.atproto.sync.getRepo serves, from one
consistent snapshot), whatever the account's status. FILE.car appears only once complete.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const verifyUsage = `usage: perlsky admin repo verify FILE.car [--did-key KEY] [--json] [--config FILE | --dev]

Checks a repository CAR: every block's CID against its bytes, the commit (version 3), the MST
(node encoding, key depths and order) and every record, then the commit signature with the
key of the commit's DID, resolved through this server (its own accounts, the PLC directory,
did:web), or with --did-key. Prints a summary; exits 1 when anything is wrong. When the key
cannot be resolved the signature is reported as not checked.

options:
      --did-key KEY   verify the signature with this did:key instead of resolving the DID
      --json          print the result as JSON
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const exportCommand = configCommand({
  name: 'export',
  summary: "write an account's repository to a CAR file",
  usage: exportUsage,
  parse: ({ positionals }) => {
    const [account, file] = requirePositionals(positionals, ['DID|HANDLE', 'FILE.car'])
    return { account, file }
  },
  run: async ({ args, config, io }) => {
    const path = resolve(io.cwd, args.file)
    const { did, bytes } = await withContext(config, io, async (ctx) => {
      const { did } = findAccount(ctx, args.account)
      return { did, bytes: await writeAtomically(path, ctx.repo.exportRepoCar(did)) }
    })
    io.stdout(`exported ${did} to ${path}: ${bytes} bytes\n`)
    return EXIT_OK
  },
})

/** Writes the chunks to `<path>.partial`, then renames it to `path`; returns the byte count. */
async function writeAtomically(path: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const partial = `${path}.partial`
  const file = await open(partial, 'w', 0o600)
  let bytes = 0
  try {
    try {
      for await (const chunk of chunks) {
        await file.write(chunk)
        bytes += chunk.length
      }
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(partial, path)
    return bytes
  } catch (err) {
    await rm(partial, { force: true })
    throw err
  }
}

type SignatureCheck = { status: 'valid' | 'invalid'; key: string } | { status: 'unchecked'; reason: string }

const verifyCommand = command({
  name: 'verify',
  summary: 'check a repository CAR file (CIDs, commit signature, MST)',
  usage: verifyUsage,
  flags: { ...CONFIG_FLAGS, 'did-key': { type: 'string' }, json: { type: 'boolean' } },
  parse: ({ values, positionals }) => {
    const [file] = requirePositionals(positionals, ['FILE.car'])
    const didKey = values['did-key']
    if (didKey !== undefined) parseDidKeyArg(didKey)
    return { file, didKey }
  },
  run: async ({ args, values, io }) => {
    const path = resolve(io.cwd, args.file)
    let car: RepoCarContents
    let structure: RepoStructure
    try {
      car = await readRepoCar(Bun.file(path).stream())
      structure = checkRepoStructure(car)
    } catch (err) {
      if (!(err instanceof InvalidRepoCarError)) throw err
      if (values.json) printJson(io, { file: path, valid: false, error: err.message })
      else io.stderr(`perlsky: ${path}: not a valid repository: ${err.message}\n`)
      return EXIT_FAILURE
    }
    const key = args.didKey ?? (await resolveKey(structure.commit.did, values, io))
    const signature: SignatureCheck =
      typeof key === 'string'
        ? { status: commitSignatureValid(structure.commit, key) ? 'valid' : 'invalid', key }
        : { status: 'unchecked', reason: key.reason }
    const result: Verified = { file: path, valid: signature.status !== 'invalid', car, structure, signature }
    if (values.json) printJson(io, verifiedJson(result))
    else io.stdout(verifiedText(result))
    return result.valid ? EXIT_OK : EXIT_FAILURE
  },
})

function parseDidKeyArg(didKey: string): void {
  try {
    parseDidKey(didKey)
  } catch {
    throw new UsageError('--did-key must be a did:key (did:key:z...)')
  }
}

/** The atproto key of the DID's current document, or why it could not be had. */
async function resolveKey(
  did: string,
  flags: { config?: string | undefined; dev?: boolean | undefined },
  io: CliIo,
): Promise<string | { reason: string }> {
  const { config } = loadCliConfig(flags, io)
  return withContext(config, io, async (ctx) => {
    try {
      const key = getVerificationKey(await ctx.identity.resolveDid(did))
      return key ?? { reason: `the DID document of ${did} has no atproto key` }
    } catch (err) {
      return { reason: `cannot resolve ${did}: ${(err as Error).message}` }
    }
  })
}

interface Verified {
  readonly file: string
  /** Structure and CIDs are checked before; false only for a signature that does not verify. */
  readonly valid: boolean
  readonly car: RepoCarContents
  readonly structure: RepoStructure
  readonly signature: SignatureCheck
}

function verifiedJson({ file, valid, car, structure: s, signature }: Verified) {
  return {
    file,
    valid,
    did: s.commit.did,
    rev: s.commit.rev,
    commit: s.commitCid,
    signature,
    records: s.records,
    collections: s.collections,
    mstNodes: s.mstNodes,
    blocks: car.blocks.size,
    unreferencedBlocks: s.unreferencedBlocks,
    blockBytes: car.bytes,
  }
}

function verifiedText({ file, valid, car, structure: s, signature }: Verified): string {
  const sig =
    signature.status === 'unchecked'
      ? `not checked: ${signature.reason}`
      : `${signature.status === 'valid' ? 'valid' : 'INVALID'} for ${signature.key}`
  const collectionCount = Object.keys(s.collections).length
  return [
    `${file}: ${valid ? 'valid' : 'INVALID'} repository of ${s.commit.did}`,
    `  commit      ${s.commitCid} (rev ${s.commit.rev})`,
    `  signature   ${sig}`,
    `  records     ${s.records} in ${collectionCount} collection${collectionCount === 1 ? '' : 's'}`,
    `  mst nodes   ${s.mstNodes}`,
    `  blocks      ${car.blocks.size} (${car.bytes} bytes of data; ${s.unreferencedBlocks} not reached from the commit)`,
    '',
  ].join('\n')
}

export const repoCommand = groupCommand({
  name: 'repo',
  summary: 'export a repository as CAR, or verify a CAR file (perlsky admin repo help)',
  intro: 'Repositories as CAR files.',
  commands: [exportCommand, verifyCommand],
})
