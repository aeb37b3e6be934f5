/**
 * GET and POST /account: sign in with the account password, see the apps you authorized,
 * revoke one, sign out. Every POST is CSRF-checked and answered with a 303 back to /account
 * (post/redirect/get), except a failed sign-in, which shows the form again.
 */
import { XrpcError } from '../../services/errors.ts'
import { DEVICE_SESSION_LIFETIME_MS } from '../../services/oauth/device-sessions.ts'
import type { OAuthService } from '../../services/oauth/oauth-service.ts'
import { accountPage } from '../pages/account-page.ts'
import { loginPage } from '../pages/login-page.ts'
import { messagePage } from '../pages/message-page.ts'
import { type PageSite, readForm, SESSION_COOKIE, type WebRequest, WebState } from './web.ts'

const NOTICES: Record<string, string> = { revoked: 'Access revoked.', 'signed-in': 'You are signed in.' }

export class AccountPages {
  constructor(
    private readonly oauth: OAuthService,
    private readonly site: PageSite,
  ) {}

  show = (web: WebRequest): Response => {
    const state = new WebState(web)
    const account = this.signedIn(state)
    if (account === undefined) return state.html(this.login(state))
    const notice = NOTICES[new URL(web.request.url).searchParams.get('done') ?? '']
    const apps = this.oauth.apps.list(account.did)
    return state.html(
      accountPage({ host: this.site.host, handle: account.handle, apps, csrf: state.csrf, notice }),
    )
  }

  submit = async (web: WebRequest): Promise<Response> => {
    const state = new WebState(web)
    const form = await readForm(web.request)
    if (!state.csrfValid(form)) {
      return state.html(
        messagePage(this.site.host, 'This form has expired', 'Reload the account page and try again.'),
        403,
      )
    }
    switch (form.get('action')) {
      case 'login':
        return this.signIn(state, form)
      case 'revoke': {
        const account = this.signedIn(state)
        const clientId = form.get('client_id')
        if (account !== undefined && clientId !== null) this.oauth.apps.revoke(account.did, clientId)
        return state.redirect(account === undefined ? '/account' : '/account?done=revoked')
      }
      case 'sign-out':
        this.oauth.devices.delete(state.session)
        state.setCookie(SESSION_COOKIE, '', 0)
        return state.redirect('/account')
      default:
        return state.html(messagePage(this.site.host, 'Unknown action', 'This form is not one of ours.'), 400)
    }
  }

  private async signIn(state: WebState, form: URLSearchParams): Promise<Response> {
    const identifier = form.get('identifier') ?? ''
    try {
      const account = await this.oauth.accounts.verifyAccountPassword(
        identifier,
        form.get('password') ?? '',
        state.web.client.ip,
      )
      const session = this.oauth.devices.create(account.did, state.session)
      state.setCookie(SESSION_COOKIE, session.cookie, DEVICE_SESSION_LIFETIME_MS / 1000)
      return state.redirect('/account?done=signed-in')
    } catch (err) {
      if (!(err instanceof XrpcError) || err.status >= 500) throw err
      const problem = err.status === 429 ? err.message : 'Wrong handle, email or password.'
      return state.html(this.login(state, identifier, problem))
    }
  }

  private signedIn(state: WebState) {
    const session = this.oauth.devices.get(state.session)
    const account = session === undefined ? undefined : this.oauth.accounts.findByIdentifier(session.did)
    return account?.takedownRef === null ? account : undefined
  }

  private login(state: WebState, identifier?: string, problem?: string): string {
    return loginPage({
      host: this.site.host,
      action: '/account',
      purpose: 'to see and manage the apps that can use your account.',
      exampleHandle: this.site.exampleHandle,
      identifier,
      problem,
      fields: { csrf: state.csrf },
    })
  }
}
