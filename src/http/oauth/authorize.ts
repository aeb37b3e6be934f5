/**
 * GET and POST /oauth/authorize: the sign-in and consent pages of the authorization flow. The
 * GET shows whatever the request needs next; the forms POST back here with an `action`
 * (login, allow, deny, switch account) and the CSRF token; a finished request is a 303 to the
 * app's redirect_uri.
 */
import { DEVICE_SESSION_LIFETIME_MS } from '../../services/oauth/device-sessions.ts'
import type { Interaction } from '../../services/oauth/interaction.ts'
import type { OAuthService } from '../../services/oauth/oauth-service.ts'
import { AuthorizationPageError } from '../../services/oauth/par.ts'
import { consentPage } from '../pages/consent-page.ts'
import { loginPage } from '../pages/login-page.ts'
import { messagePage } from '../pages/message-page.ts'
import { type PageSite, readForm, SESSION_COOKIE, type WebRequest, WebState } from './web.ts'

export class AuthorizePages {
  constructor(
    private readonly oauth: OAuthService,
    private readonly site: PageSite,
  ) {}

  show = (web: WebRequest): Promise<Response> => {
    const state = new WebState(web)
    const query = new URL(web.request.url).searchParams
    const ids = { clientId: query.get('client_id'), requestUri: query.get('request_uri') }
    return this.guard(state, async () =>
      this.render(state, ids, await this.oauth.interaction.view(ids.clientId, ids.requestUri, state.session)),
    )
  }

  submit = (web: WebRequest): Promise<Response> => {
    const state = new WebState(web)
    return this.guard(state, async () => {
      const form = await readForm(web.request)
      if (!state.csrfValid(form))
        throw new AuthorizationPageError('This form has expired. Go back to the app and start again.')
      const ids = { clientId: form.get('client_id'), requestUri: form.get('request_uri') }
      return this.render(state, ids, await this.act(state, form, ids))
    })
  }

  private async act(state: WebState, form: URLSearchParams, ids: RequestIds): Promise<Interaction> {
    const { interaction } = this.oauth
    switch (form.get('action')) {
      case 'login': {
        const attempt = {
          identifier: form.get('identifier') ?? '',
          password: form.get('password') ?? '',
          ip: state.web.client.ip,
          cookie: state.session,
        }
        const result = await interaction.login(ids.clientId, ids.requestUri, attempt)
        if (result.session)
          state.setCookie(SESSION_COOKIE, result.session.cookie, DEVICE_SESSION_LIFETIME_MS / 1000)
        return result.interaction
      }
      case 'allow':
      case 'deny':
        return interaction.decide(ids.clientId, ids.requestUri, state.session, form.get('action') === 'allow')
      case 'switch':
        this.oauth.devices.delete(state.session)
        state.setCookie(SESSION_COOKIE, '', 0)
        return interaction.view(ids.clientId, ids.requestUri, undefined)
      default:
        throw new AuthorizationPageError('This form is not one of ours.')
    }
  }

  private render(state: WebState, ids: RequestIds, interaction: Interaction): Response {
    if (interaction.kind === 'redirect') return state.redirect(interaction.url)
    const client = interaction.request.client
    const fields = {
      csrf: state.csrf,
      client_id: ids.clientId ?? undefined,
      request_uri: ids.requestUri ?? undefined,
    }
    if (interaction.kind === 'login') {
      const purpose = `to continue to ${client.kind === 'loopback' ? 'a development app' : new URL(client.clientId).hostname}`
      const { problem, identifier } = interaction
      return state.html(
        loginPage({
          host: this.site.host,
          action: '/oauth/authorize',
          purpose,
          exampleHandle: this.site.exampleHandle,
          identifier,
          problem,
          fields,
        }),
      )
    }
    const consent = consentPage({
      host: this.site.host,
      client: {
        clientId: client.clientId,
        name: client.metadata.client_name,
        loopback: client.kind === 'loopback',
      },
      handle: interaction.account.handle,
      direct: interaction.scope.direct,
      sets: interaction.scope.sets,
      fields,
    })
    return state.html(consent)
  }

  /** Problems the user must read (no redirect is possible) become a page. */
  private async guard(state: WebState, run: () => Promise<Response>): Promise<Response> {
    try {
      return await run()
    } catch (err) {
      if (!(err instanceof AuthorizationPageError)) throw err
      return state.html(messagePage(this.site.host, 'This sign-in cannot continue', err.message), 400)
    }
  }
}

interface RequestIds {
  clientId: string | null
  requestUri: string | null
}
