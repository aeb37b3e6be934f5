/**
 * The account commands that change an account's standing: takedown and untakedown (the admin
 * API's updateSubjectStatus on a repoRef: sessions end, `#account` events go out, every read and
 * write path refuses the account), reset-password (a new generated password; sessions and app
 * passwords end) and delete (the admin API's deleteAccount: repository, blobs and events removed).
 */
import { randomBytes } from 'node:crypto'
import { REPO_REF } from '../../services/moderation/subjects.ts'
import { configCommand, EXIT_OK, requirePositionals, UsageError } from '../command.ts'
import { CONFIG_FLAGS_USAGE } from '../config-source.ts'
import { findAccount, printJson, withContext } from './context.ts'

const takedownUsage = `usage: perlsky admin account takedown DID|HANDLE [--ref REF] [--config FILE | --dev]

Takes the account down, as com.atproto.admin.updateSubjectStatus does: its sessions end, it can
no longer log in, its repository, records and blobs are no longer served, and an #account event
(active: false, status: takendown) goes out on the firehose. REF (default: the current time)
is recorded as the takedown reference, e.g. a ticket number.

options:
      --ref REF       the takedown reference
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const untakedownUsage = `usage: perlsky admin account untakedown DID|HANDLE [--config FILE | --dev]

Lifts the account's takedown; an #account event announces its status again.

options:
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const resetPasswordUsage = `usage: perlsky admin account reset-password DID|HANDLE [--json] [--config FILE | --dev]

Sets a new random password and prints it once. Every session and app password of the account
ends, as after a password reset by email.

options:
      --json          print {did, handle, password} as JSON
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

const deleteUsage = `usage: perlsky admin account delete DID|HANDLE --yes [--config FILE | --dev]

Deletes the account for good, as com.atproto.admin.deleteAccount does: the repository, blobs,
sessions, invite codes and earlier events go; an #account event (status: deleted) goes out.
There is no undo (other than restoring a backup), hence --yes.

options:
      --yes           confirm the deletion
${CONFIG_FLAGS_USAGE}
  -h, --help          show this help`

/** 144 random bits in 24 URL-safe characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

/** How a generated password is shown: once, since only its hash is kept. */
export function passwordLines(password: string): string {
  return `password: ${password}\n(shown once; it is not stored)\n`
}

function setTakedown(name: string, summary: string, usage: string, applied: boolean) {
  return configCommand({
    name,
    summary,
    usage,
    flags: { ref: { type: 'string' } },
    parse: ({ values, positionals }) => {
      if (!applied && values.ref !== undefined) throw new UsageError('--ref is only for takedown')
      return requirePositionals(positionals, ['DID|HANDLE'])[0]
    },
    run: ({ args, values, config, io }) =>
      withContext(config, io, (ctx) => {
        const { did, handle } = findAccount(ctx, args)
        const ref = values.ref
        const { takedown } = ctx.moderation.updateSubjectStatus({
          subject: { $type: REPO_REF, did },
          takedown: ref === undefined ? { applied } : { applied, ref },
        })
        const state = ctx.accounts.getAccount(did)?.takedownRef
        io.stdout(
          takedown?.applied
            ? `took down ${handle} (${did}); reference: ${state}\n`
            : `lifted the takedown of ${handle} (${did})\n`,
        )
        return EXIT_OK
      }),
  })
}

export const takedownCommand = setTakedown('takedown', 'take an account down', takedownUsage, true)
export const untakedownCommand = setTakedown(
  'untakedown',
  "lift an account's takedown",
  untakedownUsage,
  false,
)

export const resetPasswordCommand = configCommand({
  name: 'reset-password',
  summary: 'set a new generated password and end every session',
  usage: resetPasswordUsage,
  flags: { json: { type: 'boolean' } },
  parse: ({ positionals }) => requirePositionals(positionals, ['DID|HANDLE'])[0],
  run: ({ args, values, config, io }) =>
    withContext(config, io, async (ctx) => {
      const { did, handle } = findAccount(ctx, args)
      const password = generatePassword()
      await ctx.admin.updateAccountPassword(did, password)
      if (values.json) printJson(io, { did, handle, password })
      else io.stdout(`new password for ${handle} (${did})\n${passwordLines(password)}`)
      return EXIT_OK
    }),
})

export const deleteCommand = configCommand({
  name: 'delete',
  summary: 'delete an account for good (needs --yes)',
  usage: deleteUsage,
  flags: { yes: { type: 'boolean' } },
  parse: ({ values, positionals }) => {
    const [account] = requirePositionals(positionals, ['DID|HANDLE'])
    if (!values.yes) throw new UsageError('deleting an account cannot be undone: confirm with --yes')
    return account
  },
  run: ({ args, config, io }) =>
    withContext(config, io, (ctx) => {
      const { did, handle } = findAccount(ctx, args)
      ctx.admin.deleteAccount(did)
      io.stdout(`deleted ${handle} (${did})\n`)
      return EXIT_OK
    }),
})
