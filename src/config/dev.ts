/**
 * The local development config: a server on http://localhost:2583 with handles like `alice.test`,
 * did:web accounts (no PLC directory needed), open signup and the email testing knobs on. Secrets
 * are generated fresh; the CLI writes the result once to ./data/dev-config.json and reuses it, so
 * sessions survive restarts.
 */
import { isSecp256k1PrivateKeyHex } from './syntax.ts'

export const DEV_PORT = 2583
export const DEV_CONFIG_DIR = 'data'
export const DEV_CONFIG_FILE = 'dev-config.json'

/** The raw JSON object of a fresh dev config; `data_dir` "." resolves to the file's directory. */
export function buildDevConfig(): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: DEV_PORT,
    base_url: `http://localhost:${DEV_PORT}`,
    service_handle_domain: 'test',
    invite_code_required: false,
    account_did_method: 'did:web',
    plc_rotation_private_key_hex: randomSecp256k1KeyHex(),
    jwt_secret: randomHex(32),
    admin_password: randomHex(16),
    crawlers: [],
    data_dir: '.',
    testing_auto_confirm_email: true,
    testing_allow_unauthenticated_email_confirm: true,
    log_level: 'debug',
  }
}

function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex')
}

function randomSecp256k1KeyHex(): string {
  // A random 32-byte value is outside [1, n) with probability ~2^-128; retry keeps it exact.
  for (;;) {
    const hex = randomHex(32)
    if (isSecp256k1PrivateKeyHex(hex)) return hex
  }
}
