/**
 * The account page: the apps this account has authorized through OAuth, each with a button that
 * revokes its access, and a sign-out button for this browser (oauth.md: "a web interface which
 * allows authenticated users to view active OAuth sessions and delete them").
 */
import type { AuthorizedApp } from '../../services/oauth/account-apps.ts'
import { clientLabel } from './consent-page.ts'
import { type Html, html } from './html.ts'
import { hiddenFields, page } from './layout.ts'

export interface AccountPageOptions {
  host: string
  handle: string
  apps: readonly AuthorizedApp[]
  csrf: string
  /** A line confirming the last action, if any. */
  notice?: string
}

export function accountPage(opts: AccountPageOptions): string {
  return page({
    title: 'Your account',
    host: opts.host,
    body: html`<h1>Your account</h1>
<div class="account">
<span>Signed in as <strong>@${opts.handle}</strong></span>
<form method="post" action="/account">${hiddenFields({ csrf: opts.csrf, action: 'sign-out' })}
<button type="submit" class="link">Sign out</button></form>
</div>
${opts.notice ? html`<p role="status">${opts.notice}</p>` : null}
<h2>Apps you have authorized</h2>
${opts.apps.length === 0 ? html`<p class="muted">No app has access to your account.</p>` : appList(opts.apps, opts.csrf)}`,
  })
}

function appList(apps: readonly AuthorizedApp[], csrf: string): Html {
  return html`<ul class="apps">${apps.map((app) => appItem(app, csrf))}</ul>`
}

function appItem(app: AuthorizedApp, csrf: string): Html {
  const label = clientLabel({ clientId: app.clientId, loopback: app.clientId.startsWith('http://localhost') })
  const sessions = app.sessions === 1 ? '' : ` · ${app.sessions} sessions`
  return html`<li>
<strong class="client">${label}</strong>
<div class="url">${app.clientId}</div>
<p class="muted">Allowed: <code>${app.scope}</code><br>
Since ${day(app.createdAt)} · last refreshed ${day(app.lastUsedAt)}${sessions}</p>
<form method="post" action="/account" class="actions">
${hiddenFields({ csrf, action: 'revoke', client_id: app.clientId })}
<button type="submit" class="secondary" aria-label="Revoke access for ${label}">Revoke access</button>
</form>
</li>`
}

function day(iso: string): string {
  return iso.slice(0, 10)
}
