/**
 * What the user sees between PAR and the redirect back to the app (oauth.md "Authorization
 * Interface"): sign in (handle or email and the account password), then approve or deny.
 * - A browser already signed in skips the password, unless the request says `prompt=login`
 *   (then only a sign-in made after the request was pushed counts) or its `login_hint` names
 *   another account.
 * - Consent is asked every time, except for a confidential client the account already approved
 *   these scopes for, and never skipped with `prompt=consent`.
 * - `prompt=none` never shows a page: it answers login_required / consent_required instead.
 * - Approval compiles the scopes, stores a single-use code (hashed) and redirects with `code`,
 *   `state` and `iss` (RFC 9207); denial redirects with `access_denied`.
 */
import type { OAuthErrorCode } from '../../core/oauth/errors.ts'
import type { AccountRow } from '../../storage/accounts/index.ts'
import type { OAuthTables } from '../../storage/oauth/index.ts'
import { XrpcError } from '../errors.ts'
import type { OAuthAccounts } from './accounts.ts'
import type { DeviceSession, DeviceSessions } from './device-sessions.ts'
import { AuthorizationPageError, type PendingRequest, type PushedRequests } from './par.ts'
import type { CompiledScope, ScopeCompiler } from './scopes.ts'
import { newSecret, sha256 } from './tokens.ts'

export const CODE_LIFETIME_MS = 2 * 60_000

export type Interaction =
  | { kind: 'login'; request: PendingRequest; problem?: string; identifier?: string }
  | { kind: 'consent'; request: PendingRequest; account: AccountRow; scope: CompiledScope }
  | { kind: 'redirect'; url: string }

export interface LoginAttempt {
  identifier: string
  password: string
  ip: string
  /** The browser's current session cookie, replaced on success. */
  cookie: string | undefined
}

export class AuthorizationInteraction {
  constructor(
    private readonly tables: OAuthTables,
    private readonly requests: PushedRequests,
    private readonly scopes: ScopeCompiler,
    private readonly accounts: OAuthAccounts,
    private readonly devices: DeviceSessions,
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** GET /oauth/authorize. Throws AuthorizationPageError. */
  async view(
    clientId: string | null,
    requestUri: string | null,
    cookie: string | undefined,
  ): Promise<Interaction> {
    const request = await this.requests.pending(clientId, requestUri)
    const account = this.signedIn(request, this.devices.get(cookie))
    if (account === undefined) {
      if (request.params.prompt === 'none')
        return this.fail(request, 'login_required', 'the user must sign in')
      return { kind: 'login', request, identifier: request.params.loginHint }
    }
    return this.afterLogin(request, account)
  }

  /** The sign-in form. Returns the new session cookie when the password was right. */
  async login(
    clientId: string | null,
    requestUri: string | null,
    attempt: LoginAttempt,
  ): Promise<{ interaction: Interaction; session?: { cookie: string; expiresAt: Date } }> {
    const request = await this.requests.pending(clientId, requestUri)
    let account: AccountRow
    try {
      account = await this.accounts.verifyAccountPassword(attempt.identifier, attempt.password, attempt.ip)
    } catch (err) {
      if (!(err instanceof XrpcError) || err.status >= 500) throw err
      const problem = err.status === 429 ? err.message : 'Wrong handle, email or password.'
      return { interaction: { kind: 'login', request, problem, identifier: attempt.identifier } }
    }
    if (!this.matchesHint(request, account)) {
      const problem = `This app asked to sign in as ${request.params.loginHint}.`
      return { interaction: { kind: 'login', request, problem, identifier: attempt.identifier } }
    }
    const session = this.devices.create(account.did, attempt.cookie)
    return { interaction: await this.afterLogin(request, account), session }
  }

  /** The consent form's answer. */
  async decide(
    clientId: string | null,
    requestUri: string | null,
    cookie: string | undefined,
    allow: boolean,
  ): Promise<Interaction> {
    const request = await this.requests.pending(clientId, requestUri)
    const account = this.signedIn(request, this.devices.get(cookie))
    if (account === undefined) return { kind: 'login', request, problem: 'Please sign in again.' }
    if (!allow) {
      this.tables.requests.delete(request.id)
      return this.fail(request, 'access_denied', 'the user denied the request')
    }
    return this.approve(request, account)
  }

  /** The account signed in for this request, if the browser's session may be used for it. */
  private signedIn(request: PendingRequest, session: DeviceSession | undefined): AccountRow | undefined {
    if (session === undefined) return undefined
    if (request.params.prompt === 'login' && session.authenticatedAt <= request.createdAt) return undefined
    const account = this.accounts.findByIdentifier(session.did)
    if (account === undefined || account.takedownRef !== null) return undefined
    return this.matchesHint(request, account) ? account : undefined
  }

  private matchesHint(request: PendingRequest, account: AccountRow): boolean {
    const hint = request.params.loginHint
    if (hint === undefined) return true
    const hinted = this.accounts.findByIdentifier(hint.replace(/^@/, ''))
    // A hint naming no account here cannot be honoured; let the user choose.
    return hinted === undefined || hinted.did === account.did
  }

  private async afterLogin(request: PendingRequest, account: AccountRow): Promise<Interaction> {
    const prompt = request.params.prompt
    if (prompt !== 'consent' && this.alreadyApproved(request, account)) return this.approve(request, account)
    if (prompt === 'none') return this.fail(request, 'consent_required', 'the user must approve the request')
    try {
      return { kind: 'consent', request, account, scope: await this.scopes.compile(request.params.scope) }
    } catch (err) {
      return this.fail(request, 'invalid_scope', (err as Error).message)
    }
  }

  /** Silent sign-in: only confidential clients, only for scopes approved before. */
  private alreadyApproved(request: PendingRequest, account: AccountRow): boolean {
    if (!request.client.confidential) return false
    const approved = this.tables.authorizedClients.scope(account.did, request.client.clientId)
    if (approved === undefined) return false
    const have = new Set(approved.split(' '))
    return request.params.scope.split(' ').every((s) => have.has(s))
  }

  private async approve(request: PendingRequest, account: AccountRow): Promise<Interaction> {
    let permissions: string
    try {
      permissions = (await this.scopes.compile(request.params.scope)).permissions
    } catch (err) {
      return this.fail(request, 'invalid_scope', (err as Error).message)
    }
    const code = newSecret('cod-')
    const now = this.now()
    const approved = this.tables.db.transaction(() => {
      const at = new Date(now).toISOString()
      const ok = this.tables.requests.approve(
        request.id,
        account.did,
        permissions,
        sha256(code),
        new Date(now + CODE_LIFETIME_MS).toISOString(),
      )
      if (ok)
        this.tables.authorizedClients.upsert(account.did, request.client.clientId, request.params.scope, at)
      return ok
    })
    if (!approved) throw new AuthorizationPageError('This sign-in request was already answered.')
    return { kind: 'redirect', url: this.redirect(request, { code }) }
  }

  private fail(request: PendingRequest, error: OAuthErrorCode, description: string): Interaction {
    return { kind: 'redirect', url: this.redirect(request, { error, error_description: description }) }
  }

  /** The client's redirect_uri with the response in its query or fragment (response_mode). */
  private redirect(request: PendingRequest, values: Record<string, string>): string {
    const url = new URL(request.params.redirectUri)
    const response = new URLSearchParams({ ...values, state: request.params.state, iss: this.issuer })
    if (request.params.responseMode === 'fragment') {
      url.hash = response.toString()
    } else {
      for (const [name, value] of response) url.searchParams.set(name, value)
    }
    return url.toString()
  }
}
