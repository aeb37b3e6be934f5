/**
 * An SMTP server on 127.0.0.1 for tests (the `smtp-server` package, the other side of nodemailer
 * in production). It keeps every message it accepts, decoded enough to read a code out of it,
 * and lets a test wait for the next message to an address without sleeping.
 *
 *   const smtp = await startFakeSmtp({ user: 'mailer', pass: 'secret' })
 *   afterAll(() => smtp.stop())
 *   // config: email_smtp_url: smtp.url, email_from_address: 'pds@example.com'
 *   const mail = await smtp.nextMailTo('alice@example.com')
 */
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  subject: string
  /** The text body, transfer encoding undone. */
  text: string
}

export interface FakeSmtp {
  /** smtp://[user:pass@]127.0.0.1:<port> */
  url: string
  port: number
  mails: ReceivedMail[]
  /** The next message to `address` that has not been returned yet (waits for it to arrive). */
  nextMailTo(address: string): Promise<ReceivedMail>
  stop(): Promise<void>
}

export interface FakeSmtpOptions {
  /** Require AUTH with these credentials (PLAIN/LOGIN over the plain connection). */
  user?: string
  pass?: string
}

export async function startFakeSmtp(opts: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = []
  const taken = new Set<ReceivedMail>()
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    disabledCommands: opts.user === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: opts.user === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === opts.user && auth.password === opts.pass) callback(null, { user: auth.username })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase())
        mails.push({ from, to, ...parseMessage(Buffer.concat(chunks).toString('utf8')) })
        for (const wake of waiters.splice(0)) wake()
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  const credentials = opts.user === undefined ? '' : `${opts.user}:${opts.pass ?? ''}@`
  const nextMailTo = async (address: string): Promise<ReceivedMail> => {
    for (;;) {
      const mail = mails.find((m) => !taken.has(m) && m.to.includes(address.toLowerCase()))
      if (mail !== undefined) {
        taken.add(mail)
        return mail
      }
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    mails,
    nextMailTo,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Headers (unfolded) and the body of a single-part text message. */
function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? ''
  const encoding = header('Content-Transfer-Encoding').toLowerCase()
  return { subject: header('Subject'), text: decodeBody(body, encoding) }
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding !== 'quoted-printable') return body.replace(/\r\n/g, '\n')
  const bytes = body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n')
}

/** The first `XXXXX-XXXXX` email code in a message body. */
export function codeIn(mail: ReceivedMail): string {
  const match = /\b[A-Z2-7]{5}-[A-Z2-7]{5}\b/.exec(mail.text)
  if (match === null) throw new Error(`no code in the message "${mail.subject}"`)
  return match[0]
}
